"""The shipped training recipes (training/recipes/*.toml) are named by their name
(`frankenstein train bundled model=cnn`), from any folder, as an install has no configs/
folder to name; a checkout's configs/bundled.toml, in every documented command, is the
same file. A config file not there names the recipes there are."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from training.config import RECIPES_DIR, ConfigError, load_config, read_config_file
from ui.commands.train import resolve_config


def test_a_recipe_is_named_by_its_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no configs/ here, as for an install
    cfg = resolve_config(["bundled", "model=cnn", "name=b"], resume=False)
    recipe = read_config_file(RECIPES_DIR / "bundled.toml")
    assert cfg.model.name == "cnn" and cfg.name == "b"
    assert cfg.epochs == recipe["epochs"] and cfg.data.per_class == recipe["data"]["per_class"]


def test_the_checkouts_configs_bundled_toml_is_the_shipped_recipe():
    """docs/training.md's and docs/tried.md's `frankenstein train configs/bundled.toml ...`."""
    link = ROOT / "configs" / "bundled.toml"
    assert link.resolve() == (RECIPES_DIR / "bundled.toml").resolve()
    assert load_config(link, ["model=cnn"]) == load_config("bundled", ["model=cnn"])


@pytest.mark.parametrize("given", ["bundeld", "bundle", "bundled.toml", "configs/bundled.toml"])
def test_a_config_not_there_names_the_shipped_recipes(tmp_path, monkeypatch, given):
    """A typo, and paths (a file name, a folder's file) that are no files from here:
    only a bare name is a recipe's."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as e:
        resolve_config([given, "model=cnn"], resume=False)
    # each near the recipe's name: `train bundle` too
    near = "; did you mean 'bundled'?"
    assert (
        str(e.value) == f"{given}: config file not found{near} (shipped recipes, by name: bundled)"
    )


def test_a_file_of_the_name_here_is_read_before_the_recipe(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bundled").write_text("epochs = 1\n")
    with pytest.raises(ConfigError, match=r"^bundled: unknown config format"):
        load_config("bundled")
