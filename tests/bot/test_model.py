"""Content-addressed model training (bot/model.py), without ever training."""
from __future__ import annotations

import re
import subprocess

import pytest
import rasa

from bot import model as model_module
from bot.model import ensure_model, fingerprint, model_path


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A miniature project: fingerprint() sees only these inputs."""
    root = tmp_path / "project"
    (root / "domain").mkdir(parents=True)
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "components").mkdir()
    (root / "config.yml").write_text("language: en\npipeline: []\n")
    (root / "domain" / "core.yml").write_text("intents:\n  - greet\n")
    (root / "data" / "nlu" / "nlu.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    - hello\n")
    (root / "components" / "red_flags.py").write_text("THRESHOLD = 0.5\n")
    (root / "redflags.py").write_text("CATEGORIES = ['chest pain']\n")
    inputs = [root / "config.yml", root / "domain", root / "data" / "nlu", root / "components",
              root / "redflags.py", root / "data" / "not-created-yet"]
    monkeypatch.setattr(model_module, "MODEL_INPUTS", inputs)
    monkeypatch.setattr(model_module, "PROJECT_ROOT", root)
    return root


def test_fingerprint_is_stable(project):
    first = fingerprint()
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert fingerprint() == first


def test_fingerprint_depends_on_content_not_timestamps(project):
    before = fingerprint()
    path = project / "domain" / "core.yml"
    original = path.read_text()
    path.write_text(original + "  - goodbye\n")
    changed = fingerprint()
    assert changed != before
    path.write_text(original)
    assert fingerprint() == before


@pytest.mark.parametrize("relative", ["config.yml", "data/nlu/nlu.yml", "components/red_flags.py", "redflags.py"])
def test_changing_any_input_changes_the_fingerprint(project, relative):
    before = fingerprint()
    path = project / relative
    path.write_text(path.read_text() + "# changed\n")
    assert fingerprint() != before


@pytest.mark.parametrize("relative", ["domain/extra.yml", "domain/extra.yaml", "components/helper.py",
                                      "data/nlu/nested/more.yml", "data/not-created-yet/stories.yml"])
def test_adding_a_model_file_changes_the_fingerprint(project, relative):
    before = fingerprint()
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("version: '3.1'\n")
    assert fingerprint() != before


@pytest.mark.parametrize("relative", ["components/__pycache__/red_flags.cpython-310.pyc", "components/notes.txt",
                                      "domain/README.md", "data/nlu/.nlu.yml.swp", "unrelated.yml",
                                      "models/tellonce-0000.tar.gz"])
def test_files_that_do_not_shape_the_model_are_ignored(project, relative):
    before = fingerprint()
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00\x01 not a model input")
    assert fingerprint() == before


def test_moving_a_file_changes_the_fingerprint(project):
    before = fingerprint()
    (project / "domain" / "core.yml").rename(project / "domain" / "renamed.yml")
    assert fingerprint() != before


def test_rasa_version_is_part_of_the_fingerprint(project, monkeypatch):
    before = fingerprint()
    monkeypatch.setattr(rasa, "__version__", rasa.__version__ + ".post1")
    assert fingerprint() != before


def test_real_model_inputs_all_exist():
    missing = [str(path) for path in model_module.MODEL_INPUTS if not path.exists()]
    assert missing == []
    assert any(path.suffix == ".yml" for path in model_module._files(model_module.MODEL_INPUTS))


def test_model_path_is_named_by_fingerprint_under_the_model_dir(project, tmp_path, monkeypatch):
    monkeypatch.setenv("TELLONCE_MODEL_DIR", str(tmp_path / "models"))
    path = model_path()
    assert path.parent == (tmp_path / "models").resolve()
    assert path.name == f"tellonce-{fingerprint()}.tar.gz"
    (project / "config.yml").write_text("language: cy\n")
    assert model_path() != path


def forbid_training(*args, **kwargs):
    raise AssertionError(f"training must not run: {args} {kwargs}")


def test_existing_model_is_reused_without_training(project, tmp_path, monkeypatch):
    monkeypatch.setenv("TELLONCE_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setattr(model_module.subprocess, "run", forbid_training)
    expected = model_path()
    expected.parent.mkdir(parents=True)
    expected.write_bytes(b"model")
    assert ensure_model() == expected


def test_missing_model_is_trained_with_the_fingerprinted_name(project, tmp_path, monkeypatch):
    monkeypatch.setenv("TELLONCE_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "true")
    calls = []

    def fake_run(command, **kwargs):
        calls.append((command, kwargs))
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(model_module.subprocess, "run", fake_run)
    expected = model_path()
    assert ensure_model() == expected
    assert expected.parent.is_dir()
    [(command, kwargs)] = calls
    assert command[1:4] == ["-m", "rasa", "train"]
    assert command[command.index("--out") + 1] == str(expected.parent)
    assert command[command.index("--fixed-model-name") + 1] == f"tellonce-{fingerprint()}"
    assert kwargs["check"] is True
    assert kwargs["env"]["RASA_TELEMETRY_ENABLED"] == "false"


def test_failed_training_raises(project, tmp_path, monkeypatch):
    monkeypatch.setenv("TELLONCE_MODEL_DIR", str(tmp_path / "models"))

    def failing_run(command, **kwargs):
        raise subprocess.CalledProcessError(1, command)

    monkeypatch.setattr(model_module.subprocess, "run", failing_run)
    with pytest.raises(subprocess.CalledProcessError):
        ensure_model()
