"""Ablation specs: validation with clear errors, and how runs are planned."""

from __future__ import annotations

import pytest

from experiments.spec import (
    AblationSpec,
    SpecError,
    list_specs,
    load_spec,
    resolve_dir,
    spec_from_dict,
    train_config,
)

GOOD = """
name = "demo"
seeds = [0, 1]
[base]
epochs = 5
data.per_class = 100
model.overrides = {lstm_hidden = 64, lstm_proj = 32, head_hidden = 96}
[variants.lstm]
model = "frankenstein"
[variants.cnn]
model = "cnn"
[variants.short]
epochs = 2
[quick]
epochs = 1
data.per_class = 7
"""


def write(tmp_path, text: str, name: str = "spec.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_a_good_spec_plans_every_variant_and_seed(tmp_path):
    spec = load_spec(write(tmp_path, GOOD))
    runs = spec.runs()
    assert [r.run_id for r in runs] == [
        "lstm-s0",
        "cnn-s0",
        "short-s0",
        "lstm-s1",
        "cnn-s1",
        "short-s1",
    ]
    cnn = runs[1].overrides
    assert cnn["model.name"] == "cnn" and cnn["seed"] == 0 and cnn["epochs"] == 5
    # a model given by name is a delta of the name: base's model overrides stay, but
    # the CNN, which has no LSTM, does not take the LSTM sizes
    cfg = train_config(runs[1], tmp_path / "study")
    assert cfg.model.name == "cnn" and cfg.model.overrides == {"head_hidden": 96}
    lstm = train_config(runs[0], tmp_path / "study").model.overrides
    assert lstm == {"lstm_hidden": 64, "lstm_proj": 32, "head_hidden": 96}
    assert cfg.name == "cnn-s0" and cfg.seed == 0 and cfg.out_dir == str(tmp_path / "study")


def test_lstm_sizes_in_a_cnn_variants_own_table_are_an_error(tmp_path):
    text = GOOD.replace('model = "cnn"', 'model.name = "cnn"\nmodel.overrides.lstm_layers = 2')
    with pytest.raises(SpecError, match=r"variants\.cnn: .*'cnn' has no LSTM: lstm_layers"):
        load_spec(write(tmp_path, text))


def test_quick_overrides_base_and_the_variant_overrides_quick(tmp_path):
    spec = load_spec(write(tmp_path, GOOD))
    quick = {r.run_id: r.overrides for r in spec.runs(quick=True)}
    assert quick["lstm-s0"]["epochs"] == 1 and quick["lstm-s0"]["data.per_class"] == 7
    assert quick["short-s0"]["epochs"] == 2  # the variant is what is compared: it wins
    assert spec.runs()[0].overrides["data.per_class"] == 100


def test_a_spec_an_editor_saved_with_a_byte_order_mark_loads(tmp_path):
    """Notepad's UTF-8 begins with a BOM: 'not valid TOML: Invalid statement (at line 1,
    column 1)' named nothing the user could see."""
    p = tmp_path / "spec.toml"
    p.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_spec(p).runs() == load_spec(write(tmp_path, GOOD, "plain.toml")).runs()


def test_the_name_defaults_to_the_file_name(tmp_path):
    spec = load_spec(write(tmp_path, GOOD.replace('name = "demo"\n', ""), "my-study.toml"))
    assert spec.name == "my-study"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "\nbogus = 1\n", "unknown key 'bogus'"),
        (
            GOOD.replace("epochs = 2", "epoks = 2"),
            "variants.short: unknown key 'epoks'; did you mean 'epochs'?",
        ),
        (
            GOOD.replace("data.per_class = 7", "data.per_clas = 7"),
            "quick: unknown key 'data.per_clas'",
        ),
        (GOOD.replace("data.per_class = 7", "batch_size = 0"), "variants.lstm with quick: "),
        (GOOD.replace("seeds = [0, 1]", "seeds = []"), "seeds: at least one seed is needed"),
        (GOOD.replace("seeds = [0, 1]", "seeds = [1, 1]"), "repeat a seed"),
        # the seeds' own problem (it was each run's: "variants.a: a-s-1: seed: ...")
        (
            GOOD.replace("seeds = [0, 1]", "seeds = [0, -1]"),
            "seeds: a seed is 0 to 4294967295, not -1",
        ),
        ("seedz = [1]\n" + GOOD, "unknown key 'seedz'; did you mean 'seeds'? (known: name, "),
        (
            GOOD.replace("epochs = 2", "seedz = 2"),  # not pointed to 'seed': no table's
            "variants.short: unknown key 'seedz' (seed is set by the spec's seeds)",
        ),
        ('name = "x"\nseeds = [0]\n[variants]\n', "variants: at least one variant is needed"),
        ('name = "x"\nseeds = [0]\n', "variants: missing"),
        (GOOD.replace('name = "demo"', 'name = "a/b"'), "name: 'a/b' is not folder-safe"),
        (
            GOOD.replace('[variants.cnn]\nmodel = "cnn"', '[variants.cnn]\nmodel = "cnnn"'),
            "unknown model 'cnnn'; did you mean 'cnn'?",
        ),
        (GOOD.replace("[quick]", "[quick]\nseed = 3"), "quick.seed: set by the runner"),
        ('peers = ["dollar_q"]\n' + GOOD, "peers: unknown peer 'dollar_q'"),
        # the table's "real top-1" was the synthetic test split's, and a peer crashed
        ("eval_data = []\n" + GOOD, "eval_data: name at least one directory of real doodles"),
        ('eval_data = [""]\n' + GOOD, "eval_data: an empty path in ['']"),
        # lax coercion took these as seeds 0 and 1
        (
            GOOD.replace("seeds = [0, 1]", 'seeds = ["0"]'),
            "seeds: a seed is a whole number, not '0'",
        ),
        (
            GOOD.replace("seeds = [0, 1]", "seeds = [true]"),
            "seeds: a seed is a whole number, not True",
        ),
        (
            GOOD.replace("seeds = [0, 1]", "seeds = [1.0]"),
            "seeds: a seed is a whole number, not 1.0",
        ),
        (
            GOOD.replace("epochs = 5", "epochs = 0"),
            "epochs: Input should be greater than or equal to 1",
        ),
    ],
)
def test_bad_specs_name_the_file_and_the_key(tmp_path, text, message):
    p = write(tmp_path, text)
    with pytest.raises(SpecError) as e:
        load_spec(p)
    assert str(e.value).startswith(f"{p}: ")
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_bad_toml_and_missing_files_are_clear_errors(tmp_path):
    p = write(tmp_path, 'name = "x"\nseeds = [0\n')
    with pytest.raises(SpecError, match=rf"^{p}: not valid TOML: "):
        load_spec(p)
    with pytest.raises(
        SpecError, match=r"nope\.toml: spec file not found \(shipped specs: .*lstm-vs-cnn"
    ):
        load_spec(tmp_path / "nope.toml")


def test_a_spec_is_frozen_and_forbids_extra_fields():
    spec = spec_from_dict({"name": "x", "variants": {"a": {}}, "seeds": [0]})
    with pytest.raises(Exception, match="frozen"):
        spec.name = "y"
    assert "extra" in str(AblationSpec.model_config)


def test_every_shipped_spec_loads_by_path_and_by_name():
    specs = list_specs()
    names = {p.stem for p in specs}
    assert {
        "lstm-vs-cnn",
        "lstm-depth",
        "loss-every-stroke",
        "padlen-resolution",
        "augmentation-variety",
    } <= names
    for p in specs:
        spec = load_spec(p)
        assert spec.quick, f"{p.name} has no quick settings"
        assert len(spec.seeds) >= 2 and len(spec.variants) >= 2
        assert load_spec(p.stem) == spec


def test_relative_eval_data_is_found_above_the_project(tmp_path, monkeypatch):
    """A spec's `../shared/...` is found from the project or any folder above it (a git
    worktree lives deeper than the checkout), in a tree of its own: the dev doodles
    may be elsewhere (FRANKENSTEIN_REAL_DEV), and this checkout anywhere."""
    import experiments.spec

    dev = tmp_path / "shared" / "data" / "quickdraw-real-dev" / "simplified"
    dev.mkdir(parents=True)
    project = tmp_path / "worktrees" / "p"  # ../shared is two levels up, not one
    project.mkdir(parents=True)
    monkeypatch.setattr(experiments.spec, "PROJECT_ROOT", project)
    monkeypatch.chdir(project)
    monkeypatch.delenv("FRANKENSTEIN_REAL_DEV", raising=False)
    assert resolve_dir("../shared/data/quickdraw-real-dev/simplified") == dev.resolve()
    with pytest.raises(SpecError, match="'no/such/dir': no such directory"):
        resolve_dir("no/such/dir")


def test_a_missing_absolute_eval_data_is_refused(tmp_path):
    """It was taken as it stood, and every run of the study failed on it."""
    with pytest.raises(SpecError, match=rf"^eval_data '{tmp_path / 'gone'}': no such directory$"):
        resolve_dir(str(tmp_path / "gone"))
    (tmp_path / "a.ndjson").write_text("")
    with pytest.raises(SpecError, match=r"a\.ndjson': not a directory$"):
        resolve_dir(str(tmp_path / "a.ndjson"))
    assert resolve_dir(str(tmp_path)) == tmp_path.resolve()
