import json

import pytest

from training.config import (
    ConfigError,
    TrainConfig,
    load_config,
    parse_override,
    write_config,
)


def test_defaults_are_the_documented_ones():
    cfg = TrainConfig()
    assert cfg.batch_size == 32 and cfg.model.name == "frankenstein"
    assert cfg.data.sources == ("synthetic",) and cfg.loss_at == "every"
    assert cfg.model_cfg().pad_len == 8 and cfg.model_cfg().m == 64


def test_toml_and_json_files_give_the_same_config(tmp_path):
    toml = tmp_path / "run.toml"
    toml.write_text(
        'name = "a"\nepochs = 3\n[model]\nname = "cnn"\n[augment]\nrotate = 10\n'
        '[optim]\nname = "sgd"\nlr = 0.05\n'
    )
    js = tmp_path / "run.json"
    js.write_text(
        json.dumps(
            {
                "name": "a",
                "epochs": 3,
                "model": {"name": "cnn"},
                "augment": {"rotate": 10},
                "optim": {"name": "sgd", "lr": 0.05},
            }
        )
    )
    a, b = load_config(toml), load_config(js)
    assert a == b
    assert a.model.name == "cnn" and a.augment.rotate == 10 and a.optim.name == "sgd"


def test_a_key_given_twice_in_a_json_config_is_refused(tmp_path):
    """TOML refuses it; JSON silently kept the last value."""
    cfg = tmp_path / "c.json"
    cfg.write_text('{"epochs": 2, "optim": {"lr": 0.1, "lr": 0.01}}')
    with pytest.raises(ConfigError, match=r"c.json: the key 'lr' is given twice"):
        load_config(cfg)


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ("epochs=true", "epochs: a number, not True"),
        ('epochs="2"', "epochs: a number, not '2'"),
        ("epochs=2.0", "epochs: a whole number, not 2.0"),
        ("optim.lr=false", "optim.lr: a number, not False"),
        ('data.cap_per_class="5"', "data.cap_per_class: a number, not '5'"),
    ],
)
def test_a_number_setting_takes_no_boolean_text_or_fraction(override, problem):
    """Pydantic's lax mode read epochs = true as 1 epoch, "2" as 2 and 2.0 as 2."""
    with pytest.raises(ConfigError, match=problem):
        load_config(None, [override])
    assert load_config(None, ["epochs=3", "optim.lr=1", "data.cap_per_class=null"]).epochs == 3


def test_overrides_use_dotted_keys_and_json_values(tmp_path):
    cfg = load_config(
        None,
        [
            "augment.rotate=7.5",
            "model=cnn",
            "model.overrides.channels=[4,8,8]",
            'data.sources=["some/dir", "synthetic"]',
            "name=my run",
            "augment.enabled=false",
        ],
    )
    assert cfg.augment.rotate == 7.5 and not cfg.augment.enabled
    assert cfg.model.name == "cnn" and cfg.model_cfg().channels == (4, 8, 8)
    assert cfg.data.sources == ("some/dir", "synthetic")
    assert cfg.name == "my run"  # not JSON: taken as a string


def test_overrides_win_over_the_file(tmp_path):
    f = tmp_path / "run.toml"
    f.write_text("epochs = 3\n[augment]\nrotate = 10\n")
    cfg = load_config(f, ["epochs=5"])
    assert cfg.epochs == 5 and cfg.augment.rotate == 10


@pytest.mark.parametrize(
    ("item", "named", "suggested"),
    [
        ("augment.rotat=3", "augment.rotat", "augment.rotate"),
        ("epoch=3", "epoch", "epochs"),
        ("optim.shedule=cosine", "optim.shedule", "optim.schedule"),
        ("zzz=1", "zzz", None),
    ],
)
def test_an_unknown_override_key_is_named_with_a_suggestion(item, named, suggested):
    with pytest.raises(ConfigError) as e:
        load_config(None, [item])
    assert repr(named) in str(e.value)
    if suggested:
        assert f"did you mean {suggested!r}" in str(e.value)


def test_a_choice_misspelt_is_answered_with_the_nearest(tmp_path):
    """`optim.name=adamm` got pydantic's list alone; `loss_at=Every` too."""
    with pytest.raises(ConfigError) as e:
        load_config(None, ["optim.name=adamm", "loss_at=Every"])
    assert str(e.value) == (
        "config: optim.name: Input should be 'adam', 'adamw' or 'sgd' (did you mean 'adam'?); "
        "loss_at: Input should be 'every' or 'final' (did you mean 'every'?)"
    )
    with pytest.raises(ConfigError, match=r"or 'sgd'$"):  # nothing near: the list alone
        load_config(None, ["optim.name=rmsprop"])


@pytest.mark.parametrize(
    ("item", "said"),
    [
        ("data=1", "data: a table of settings (data.sources=..., data.per_class=...), not 1"),
        ('optim="x"', 'optim: a table of settings (optim.name=..., optim.lr=...), not "x"'),
        (
            "model=[1]",
            "model: a model's name (model=cnn) or a table of settings (model.name=..., "
            "model.overrides=...), not [1]",
        ),
    ],
)
def test_a_section_given_a_value_says_it_is_a_table(item, said):
    """`data=1` got "Input should be a valid dictionary or instance of DataSection"."""
    with pytest.raises(ConfigError) as e:
        load_config(None, [item])
    assert str(e.value) == f"config: {said}"


def test_an_unknown_key_in_a_file_is_named(tmp_path):
    f = tmp_path / "run.toml"
    f.write_text("[augment]\nrotat = 3\n")
    with pytest.raises(
        ConfigError, match=r"unknown key 'augment.rotat'; did you mean 'augment.rotate'"
    ):
        load_config(f)


def test_a_key_left_out_of_its_section_is_pointed_to_it(tmp_path):
    """`lr=0.01` (the section forgotten) named no key; one of that name below is."""
    with pytest.raises(ConfigError, match=r"^unknown key 'lr'; did you mean 'optim.lr'\?$"):
        load_config(None, ["lr=0.01"])
    f = tmp_path / "run.toml"
    f.write_text("rotate = 10\n")
    with pytest.raises(ConfigError, match=r"unknown key 'rotate'; did you mean 'augment.rotate'"):
        load_config(f)
    with pytest.raises(ConfigError, match=r"^unknown key 'colour'$"):
        load_config(None, ["colour=1"])


def test_invalid_values_give_one_message_per_field():
    with pytest.raises(ConfigError) as e:
        load_config(None, ["batch_size=0", "optim.name=rmsprop", "augment.scale=[0.9, 0.5]"])
    msg = str(e.value)
    assert "batch_size: Input should be greater than or equal to 1" in msg
    assert "optim.name: Input should be 'adam', 'adamw' or 'sgd'" in msg
    assert "augment.scale:" in msg and "0 < lo <= hi <= 1" in msg


def test_seeds_are_refused_before_numpy_sees_them():
    with pytest.raises(ConfigError) as e:
        load_config(None, ["seed=-1", f"data.eval_seed={2**32}"])
    msg = str(e.value)
    assert "seed: Input should be greater than or equal to 0" in msg
    assert "data.eval_seed: Input should be less than 4294967296" in msg
    assert load_config(None, [f"seed={2**32 - 1}"]).seed == 2**32 - 1


def test_numbers_that_are_not_finite_are_refused(tmp_path):
    """`optim.lr=inf` (and 1e400, which JSON reads as infinity, or TOML's inf) passed
    lr > 0 and trained until it diverged; NaN failed only its bounds. A rate past float32's
    range failed torch's optimiser with an overflow traceback: 1e30 is the most."""
    toml = tmp_path / "run.toml"
    toml.write_text("[augment]\njitter = inf\n")
    with pytest.raises(ConfigError, match=r"augment.jitter: Input should be a finite number$"):
        load_config(toml)
    for item in ("optim.lr=inf", "optim.lr=1e400", "optim.lr=NaN", "optim.lr=-Infinity"):
        finite = r"(Input should be a finite|a number, not 'inf')"  # inf is not JSON: text
        with pytest.raises(ConfigError, match=rf"^config: optim.lr: {finite}"):
            load_config(None, [item])
    with pytest.raises(ConfigError, match=r"optim.lr: 1e\+31 is more than 1e\+30, past which"):
        load_config(None, ["optim.lr=1e31"])
    assert load_config(None, ["optim.lr=1e30"]).optim.lr == 1e30


@pytest.mark.parametrize(
    "item, key",
    [
        ("out_dir=", "out_dir"),
        ('data.sources=["a", ""]', "data.sources"),
        ("eval_data= ", "eval_data"),
    ],
)
def test_an_empty_path_setting_is_refused(item, key):
    """Path("") is the current folder: `train out_dir='' --dry-run` wrote its run there."""
    with pytest.raises(
        ConfigError, match=rf"^config: {key}: an empty path \(' ?'\): name a folder$"
    ):
        load_config(None, [item])


def test_model_names_and_overrides_are_checked_against_the_registry():
    with pytest.raises(ConfigError) as bad_name:
        load_config(None, ["model=frankenstien"])
    # said once, not "config: config: ..."
    assert str(bad_name.value).startswith(
        "config: unknown model 'frankenstien'; did you mean 'frankenstein'"
    )
    with pytest.raises(ConfigError, match="lstm_hiden"):
        load_config(None, ["model.overrides.lstm_hiden=3"])
    with pytest.raises(ConfigError, match="set pad_len at the top level"):
        load_config(None, ["model.overrides.pad_len=4"])
    # a list short of its length said so (it was "channels.2: Field required")
    with pytest.raises(ConfigError, match=r"channels: too few values, 2 given \(item 3 missing\)$"):
        load_config(None, ["model.overrides.channels=[16, 32]"])
    with pytest.raises(ConfigError, match=r"augment.scale: too few values, 1 given \(item 2"):
        load_config(None, ["augment.scale=[0.5]"])


def test_bad_files_are_reported_by_name(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("epochs = [\n")
    with pytest.raises(ConfigError, match=r"bad.toml: not valid TOML"):
        load_config(bad)
    other = tmp_path / "run.yaml"
    other.write_text("epochs: 3\n")
    with pytest.raises(ConfigError, match="unknown config format"):
        load_config(other)
    with pytest.raises(ConfigError, match="not key=value"):
        parse_override("epochs")


def test_a_config_file_not_in_utf8_is_named_and_a_byte_order_mark_is_read_past(tmp_path):
    """A Latin-1 or binary file raised UnicodeDecodeError with a traceback; a file an
    editor saved with a byte-order mark was "Invalid statement (at line 1, column 1)"."""
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "café"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin.toml: not UTF-8 text \(byte 11: "):
        load_config(latin)
    marked = tmp_path / "marked.toml"
    marked.write_bytes(b"\xef\xbb\xbfepochs = 3\n")
    assert load_config(marked).epochs == 3
    marked_json = tmp_path / "marked.json"
    marked_json.write_bytes(b'\xef\xbb\xbf{"epochs": 4}')
    assert load_config(marked_json).epochs == 4


def test_the_resolved_config_round_trips_through_json(tmp_path):
    cfg = load_config(None, ["model=cnn", "augment.scale=[0.7, 0.9]", "name=r"])
    write_config(cfg, tmp_path / "config.json")
    again = load_config(tmp_path / "config.json")
    assert again == cfg


def test_configs_are_frozen():
    cfg = TrainConfig()
    with pytest.raises(ValueError):
        cfg.epochs = 3
