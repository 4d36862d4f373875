import pytest

from core.classes import CLASSES, NUM_CLASSES, UnknownClassError, class_index, class_name


def test_eighteen_classes_in_architecture_order():
    assert NUM_CLASSES == 18
    assert CLASSES[0] == "circle" and CLASSES[6] == "hockey stick" and CLASSES[-1] == "triangle"
    assert list(CLASSES) == sorted(CLASSES)  # ARCHITECTURE.md lists them alphabetically


@pytest.mark.parametrize("name", ["Hockey_Stick", "hockey-stick", " hockey  stick "])
def test_class_index_forgives_case_and_separators(name):
    assert class_index(name) == 6
    assert class_name(6) == "hockey stick"


def test_unknown_class_suggests_the_closest():
    with pytest.raises(UnknownClassError, match="did you mean 'octagon'"):
        class_index("octagn")
    with pytest.raises(UnknownClassError):
        class_name(18)
