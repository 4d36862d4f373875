"""A controller told to wait for its model (`load=False`, as the window opens before
the model loads): what it does before `load`, and the shapes it reads after."""

from live.controller import Controller
from tests.live.helpers import biased, circle, draw, loader_of


def test_a_controller_that_has_not_loaded_waits_for_its_model(settings, tiny_models):
    """Keys pressed before the load say the model is loading; the pen's rest is judged
    once it has loaded."""
    models = {"frankenstein": biased(tiny_models["frankenstein"], "circle")}
    c = Controller(settings, loader=loader_of(models), load=False)
    assert c.scene().panel.model == "loading Frankenstein (CNN+LSTM)…"
    update = draw(c, circle(400, 300, 100))
    assert update.stroke_added and update.prediction is None
    assert c.tick(10.0) is None and c.shapes[0].snap is None  # no guess: the rest waits
    assert not c.switch_model() and c.status == "Frankenstein (CNN+LSTM) is still loading"
    assert c.classify_now() is None and "still loading" in c.status
    assert c.model_name == "frankenstein" and c.classifier is None

    assert c.load() is None and c.scene().panel.model == "Frankenstein (CNN+LSTM)"
    assert len(c.shapes[0].history) == 1 and c.shapes[0].guess.label == "circle"
    update = c.tick(11.0)  # the rest before the load, judged now
    assert update is not None and update.snapped == "circle"


def test_ink_cleared_or_undone_before_the_load_is_guessed_after_it(settings, tiny_models):
    """What a clear or an undo kept while the model loaded held no guesses: the undo of
    the clear, or the redo, after the load reads those shapes anew."""
    models = {"frankenstein": biased(tiny_models["frankenstein"], "circle")}
    settings = settings.model_copy(update={"auto_snap": False})

    def two_shapes() -> Controller:
        c = Controller(settings, loader=loader_of(models), load=False)
        draw(c, circle(200, 300, 60))
        draw(c, circle(600, 300, 60))  # far away: a second shape
        return c

    c = two_shapes()
    c.clear()
    c.load()
    assert c.undo() and [len(s.history) for s in c.shapes] == [1, 1]

    c = two_shapes()
    assert c.undo() and len(c.shapes) == 1
    c.load()
    assert c.redo() and [len(s.history) for s in c.shapes] == [1, 1]
