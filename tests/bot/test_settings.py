"""Runtime configuration from the environment (bot/settings.py)."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.exceptions import ConfigurationError
from bot.settings import PROJECT_ROOT, RASA_PROCESS_ENV, load_settings, rasa_environment

ENV = ["TELLONCE_VAR_DIR", "TELLONCE_DATABASE_URL", "TRACKER_STORE_URL", "LOCK_STORE_URL", "RASA_PORT",
       "ACTION_PORT", "ACTION_SERVER_URL", "RASA_AUTH_TOKEN", "TELLONCE_SECRET_KEY", "VERIFY_MAX_ATTEMPTS",
       "VERIFY_MAX_FAILURES_PER_DAY", "TELLONCE_MODEL_DIR", "TELLONCE_TIMEZONE", "SQLITE_BUSY_TIMEOUT_MS"]


@pytest.fixture(autouse=True)
def env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_project_root_is_the_repository():
    assert (PROJECT_ROOT / "bot" / "settings.py").is_file()
    assert (PROJECT_ROOT / "config.yml").is_file()


def test_defaults():
    settings = load_settings()
    var = PROJECT_ROOT.resolve() / "var"
    assert settings.var_dir == var
    assert settings.database_url == f"sqlite:///{var / 'tellonce.db'}"
    assert settings.tracker_store_url == f"sqlite:///{var / 'tracker.db'}"
    assert settings.lock_store_url == ""
    assert settings.rasa_port == 5005
    assert settings.action_port == 5055
    assert settings.action_server_url == "http://127.0.0.1:5055/webhook"
    assert settings.model_dir == PROJECT_ROOT.resolve() / "models"
    assert settings.timezone == "Europe/London"
    assert settings.sqlite_busy_timeout_ms == 15000
    assert settings.verify_max_attempts == 3
    assert settings.verify_max_failures_per_day == 6


def test_default_database_urls_follow_the_var_dir(env, tmp_path):
    env.setenv("TELLONCE_VAR_DIR", str(tmp_path / "state"))
    settings = load_settings()
    assert settings.var_dir == (tmp_path / "state").resolve()
    assert settings.database_url == f"sqlite:///{(tmp_path / 'state').resolve() / 'tellonce.db'}"
    assert settings.tracker_store_url == f"sqlite:///{(tmp_path / 'state').resolve() / 'tracker.db'}"


def test_relative_var_dir_is_made_absolute(env, tmp_path):
    env.chdir(tmp_path)
    env.setenv("TELLONCE_VAR_DIR", "relative/var")
    assert load_settings().var_dir == (tmp_path / "relative" / "var").resolve()


def test_environment_overrides(env, tmp_path):
    env.setenv("TELLONCE_DATABASE_URL", "postgresql://care@db/registry")
    env.setenv("TRACKER_STORE_URL", "postgresql://rasa@db/tracker")
    env.setenv("LOCK_STORE_URL", "redis://cache:6379/1")
    env.setenv("RASA_PORT", "6005")
    env.setenv("ACTION_PORT", "6055")
    env.setenv("TELLONCE_MODEL_DIR", str(tmp_path / "models"))
    env.setenv("TELLONCE_TIMEZONE", "Europe/Dublin")
    env.setenv("SQLITE_BUSY_TIMEOUT_MS", "2500")
    env.setenv("VERIFY_MAX_ATTEMPTS", "5")
    env.setenv("VERIFY_MAX_FAILURES_PER_DAY", "9")
    settings = load_settings()
    assert settings.database_url == "postgresql://care@db/registry"
    assert settings.tracker_store_url == "postgresql://rasa@db/tracker"
    assert settings.lock_store_url == "redis://cache:6379/1"
    assert settings.rasa_port == 6005
    assert settings.action_port == 6055
    assert settings.action_server_url == "http://127.0.0.1:6055/webhook"  # follows ACTION_PORT
    assert settings.model_dir == (tmp_path / "models").resolve()
    assert settings.timezone == "Europe/Dublin"
    assert settings.sqlite_busy_timeout_ms == 2500
    assert (settings.verify_max_attempts, settings.verify_max_failures_per_day) == (5, 9)


def test_explicit_action_server_url_wins(env):
    env.setenv("ACTION_PORT", "6055")
    env.setenv("ACTION_SERVER_URL", "http://actions.internal:5055/webhook")
    assert load_settings().action_server_url == "http://actions.internal:5055/webhook"


def test_empty_variables_mean_the_default(env):
    for name in ("TELLONCE_VAR_DIR", "RASA_PORT", "TELLONCE_TIMEZONE", "TELLONCE_DATABASE_URL"):
        env.setenv(name, "")
    settings = load_settings()
    assert settings.rasa_port == 5005
    assert settings.timezone == "Europe/London"
    assert settings.var_dir == PROJECT_ROOT.resolve() / "var"


@pytest.mark.parametrize("name", ["RASA_PORT", "ACTION_PORT", "SQLITE_BUSY_TIMEOUT_MS", "VERIFY_MAX_ATTEMPTS"])
@pytest.mark.parametrize("value", ["abc", "50O5", "5005.0"])
def test_non_integer_is_a_configuration_error_naming_the_variable(env, name, value):
    env.setenv(name, value)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert name in str(info.value)
    assert value in str(info.value)


def test_settings_are_read_at_call_time(env):
    env.setenv("RASA_PORT", "7001")
    first = load_settings()
    env.setenv("RASA_PORT", "7002")
    assert (first.rasa_port, load_settings().rasa_port) == (7001, 7002)


# ------------------------------------------------------------------ secrets


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("method, variable, filename", [
    ("auth_token", "RASA_AUTH_TOKEN", "rasa_auth_token"),
    ("secret_key", "TELLONCE_SECRET_KEY", "secret_key"),
])
def test_secret_is_generated_once_and_kept_private(env, tmp_path, method, variable, filename):
    var = tmp_path / "new" / "var"
    env.setenv("TELLONCE_VAR_DIR", str(var))
    first = getattr(load_settings(), method)()
    path = var / filename
    assert path.is_file()
    assert mode(path) == 0o600
    assert path.read_text(encoding="utf-8") == first
    assert len(first) >= 32
    assert getattr(load_settings(), method)() == first  # a fresh Settings reads the same secret

    env.setenv(variable, "from-the-environment")
    assert getattr(load_settings(), method)() == "from-the-environment"
    assert path.read_text(encoding="utf-8") == first  # the stored secret is left alone


@pytest.mark.parametrize("method, variable, filename", [
    ("auth_token", "RASA_AUTH_TOKEN", "rasa_auth_token"),
    ("secret_key", "TELLONCE_SECRET_KEY", "secret_key"),
])
def test_secret_from_the_environment_writes_nothing(env, tmp_path, method, variable, filename):
    env.setenv("TELLONCE_VAR_DIR", str(tmp_path))
    env.setenv(variable, "configured")
    assert getattr(load_settings(), method)() == "configured"
    assert not (tmp_path / filename).exists()


def test_secret_file_mode_ignores_a_permissive_umask(env, tmp_path):
    env.setenv("TELLONCE_VAR_DIR", str(tmp_path))
    old = os.umask(0)
    try:
        load_settings().auth_token()
    finally:
        os.umask(old)
    assert mode(tmp_path / "rasa_auth_token") == 0o600


def test_auth_token_and_secret_key_differ(env, tmp_path):
    env.setenv("TELLONCE_VAR_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.auth_token() != settings.secret_key()


def test_generated_secrets_differ_between_installations(env, tmp_path):
    env.setenv("TELLONCE_VAR_DIR", str(tmp_path / "one"))
    one = load_settings().auth_token()
    env.setenv("TELLONCE_VAR_DIR", str(tmp_path / "two"))
    assert load_settings().auth_token() != one


def test_stored_secret_is_read_without_surrounding_whitespace(env, tmp_path):
    env.setenv("TELLONCE_VAR_DIR", str(tmp_path))
    (tmp_path / "secret_key").write_text("kept-key\n", encoding="utf-8")
    assert load_settings().secret_key() == "kept-key"


# ------------------------------------------------------------------ rasa_environment


def test_rasa_environment_disables_telemetry(env):
    env.setenv("RASA_TELEMETRY_ENABLED", "true")
    env.setenv("SOME_OTHER_VARIABLE", "kept")
    result = rasa_environment()
    assert result["RASA_TELEMETRY_ENABLED"] == "false"
    assert result["SOME_OTHER_VARIABLE"] == "kept"
    for name, value in RASA_PROCESS_ENV.items():
        assert result[name] == value
    assert os.environ["RASA_TELEMETRY_ENABLED"] == "true"  # the caller's environment is not changed


def test_an_empty_secret_file_is_refused_not_used(tmp_path, monkeypatch):
    from bot.exceptions import ConfigurationError
    from bot.settings import load_settings

    monkeypatch.setenv("TELLONCE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    (tmp_path / "rasa_auth_token").write_text("  \n")
    with pytest.raises(ConfigurationError, match="rasa_auth_token"):
        load_settings().auth_token()
