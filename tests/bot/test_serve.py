"""Server start-up configuration (bot/serve.py): nothing secret is written to disk."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import serve
from bot.serve import endpoints, rasa_arguments, server_environment, write_endpoints
from bot.settings import PROJECT_ROOT, load_settings

ENV = ["TELLONCE_VAR_DIR", "TELLONCE_DATABASE_URL", "TRACKER_STORE_URL", "LOCK_STORE_URL", "RASA_PORT",
       "ACTION_PORT", "ACTION_SERVER_URL", "RASA_AUTH_TOKEN", "TELLONCE_SECRET_KEY", "TELLONCE_MODEL_DIR",
       "TELLONCE_TIMEZONE", "SQLITE_BUSY_TIMEOUT_MS", "RASA_INTERFACE"]
LOCK_URL = "redis://:s3cret@redis.internal:6380/2"


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TELLONCE_VAR_DIR", str(tmp_path / "var"))
    return monkeypatch


def leaves(config):
    for value in config.values():
        if isinstance(value, dict):
            yield from leaves(value)
        else:
            yield value


def test_endpoints_without_a_lock_store():
    config = endpoints(load_settings())
    assert set(config) == {"action_endpoint", "tracker_store", "nlg"}
    assert config["action_endpoint"] == {"url": "${ACTION_SERVER_URL}", "enable_selective_domain": True}
    assert config["tracker_store"] == {"type": "bot.tracker_store.TellOnceTrackerStore", "url": "${TRACKER_STORE_URL}"}
    assert config["nlg"] == {"type": "bot.nlg.CatalogueNaturalLanguageGenerator"}


def test_endpoint_values_are_env_references_or_class_paths(env):
    env.setenv("TRACKER_STORE_URL", "postgresql://rasa:tr4cker-pw@db.internal/rasa")
    env.setenv("ACTION_SERVER_URL", "http://actions.internal:5055/webhook")
    for value in leaves(endpoints(load_settings())):
        if isinstance(value, bool):  # flags such as enable_selective_domain are not secrets
            continue
        assert isinstance(value, str)
        is_reference = value.startswith("${") and value.endswith("}")
        is_class_path = value.startswith("bot.") and " " not in value and "/" not in value
        assert is_reference or is_class_path, value


def test_lock_store_section_refers_to_the_environment(env):
    env.setenv("LOCK_STORE_URL", LOCK_URL)
    config = endpoints(load_settings())
    lock = config["lock_store"]
    assert lock["type"] == "redis"
    assert lock == {"type": "redis", "url": "${TELLONCE_LOCK_HOST}", "port": "${TELLONCE_LOCK_PORT}",
                    "db": "${TELLONCE_LOCK_DB}", "password": "${TELLONCE_LOCK_PASSWORD}"}
    assert "s3cret" not in yaml.safe_dump(config)


def test_server_environment_splits_the_lock_store_url(env):
    env.setenv("LOCK_STORE_URL", LOCK_URL)
    values = server_environment(load_settings())
    assert values["TELLONCE_LOCK_HOST"] == "redis.internal"
    assert values["TELLONCE_LOCK_PORT"] == "6380"
    assert values["TELLONCE_LOCK_DB"] == "2"
    assert values["TELLONCE_LOCK_PASSWORD"] == "s3cret"


def test_server_environment_lock_defaults(env):
    env.setenv("LOCK_STORE_URL", "redis://cache")
    values = server_environment(load_settings())
    assert (values["TELLONCE_LOCK_HOST"], values["TELLONCE_LOCK_PORT"], values["TELLONCE_LOCK_DB"],
            values["TELLONCE_LOCK_PASSWORD"]) == ("cache", "6379", "1", "")


def test_percent_encoded_lock_password_is_decoded(env):
    env.setenv("LOCK_STORE_URL", "redis://:p%40ss%3Aw%2Ford@redis.internal/0")
    values = server_environment(load_settings())
    assert values["TELLONCE_LOCK_PASSWORD"] == "p@ss:w/ord"
    assert values["TELLONCE_LOCK_DB"] == "0"


def test_server_environment_without_a_lock_store(env):
    env.setenv("ACTION_PORT", "6055")
    values = server_environment(load_settings())
    assert values == {"ACTION_SERVER_URL": "http://127.0.0.1:6055/webhook",
                      "TRACKER_STORE_URL": f"sqlite:///{load_settings().var_dir / 'tracker.db'}"}


def test_written_endpoints_hold_no_secret(env, tmp_path):
    env.setenv("TELLONCE_VAR_DIR", str(tmp_path))
    env.setenv("LOCK_STORE_URL", LOCK_URL)
    env.setenv("TRACKER_STORE_URL", "postgresql://rasa:tr4cker-pw@db.internal/rasa")
    path = write_endpoints(load_settings())
    assert path == tmp_path / "endpoints.yml"
    text = path.read_text(encoding="utf-8")
    assert "s3cret" not in text
    assert "tr4cker-pw" not in text
    assert "redis.internal" not in text
    assert yaml.safe_load(text) == endpoints(load_settings())


def test_written_endpoints_resolve_through_rasa(env, tmp_path):
    """Rasa substitutes the ${...} references from the environment when it reads the file."""
    from rasa.utils.endpoints import read_endpoint_config

    env.setenv("LOCK_STORE_URL", LOCK_URL)
    settings = load_settings()
    for name, value in server_environment(settings).items():
        env.setenv(name, value)
    path = str(write_endpoints(settings))
    lock = read_endpoint_config(path, "lock_store")
    assert lock.type == "redis"
    assert lock.url == "redis.internal"
    assert lock.kwargs["password"] == "s3cret"
    assert str(lock.kwargs["port"]) == "6380" and str(lock.kwargs["db"]) == "2"
    assert read_endpoint_config(path, "tracker_store").url == settings.tracker_store_url


def test_write_endpoints_creates_the_var_dir(env, tmp_path):
    env.setenv("TELLONCE_VAR_DIR", str(tmp_path / "a" / "b"))
    assert write_endpoints(load_settings()).is_file()


def option(command, flag):
    assert flag in command, f"{flag} missing from {command}"
    return command[command.index(flag) + 1]


def test_rasa_arguments_runs_the_api_with_auth_and_credentials(tmp_path):
    settings = load_settings()
    model, endpoints_file = tmp_path / "model.tar.gz", tmp_path / "endpoints.yml"
    command = rasa_arguments(settings, "rasa", model, endpoints_file)
    assert command[0] == "run"
    assert "--enable-api" in command
    token = option(command, "--auth-token")
    assert token and token == settings.auth_token()
    assert Path(option(command, "--credentials")) == PROJECT_ROOT / "bot" / "credentials.yml"
    assert Path(option(command, "--credentials")).is_file()
    assert option(command, "--model") == str(model)
    assert option(command, "--endpoints") == str(endpoints_file)
    assert option(command, "--port") == "5005"
    assert option(command, "--interface") == "127.0.0.1"


def test_rasa_arguments_uses_configured_token_port_and_interface(env, tmp_path):
    env.setenv("RASA_AUTH_TOKEN", "configured-token")
    env.setenv("RASA_PORT", "6006")
    env.setenv("RASA_INTERFACE", "0.0.0.0")
    command = rasa_arguments(load_settings(), "rasa", tmp_path / "m.tar.gz", tmp_path / "e.yml")
    assert option(command, "--auth-token") == "configured-token"
    assert option(command, "--port") == "6006"
    assert option(command, "--interface") == "0.0.0.0"


def test_shell_command_has_no_api(tmp_path):
    command = rasa_arguments(load_settings(), "shell", tmp_path / "m.tar.gz", tmp_path / "e.yml")
    assert command[0] == "shell"
    assert "--enable-api" not in command
    assert "--auth-token" not in command
    assert option(command, "--interface") == "127.0.0.1"  # rasa shell would otherwise listen on 0.0.0.0
    assert option(command, "--model") == str(tmp_path / "m.tar.gz")


def test_credentials_file_enables_the_guarded_rest_channel():
    credentials = yaml.safe_load(serve.CREDENTIALS.read_text(encoding="utf-8"))
    assert "bot.channels.rest.GuardedRestInput" in credentials
    assert "rest" not in credentials  # Rasa's unguarded RestInput must not also be served


def test_credentials_file_enables_the_guarded_socketio_channel_only():
    from bot.channels.socketio import GuardedSocketIOInput

    credentials = yaml.safe_load(serve.CREDENTIALS.read_text(encoding="utf-8"))
    assert "bot.channels.socketio.GuardedSocketIOInput" in credentials
    assert "socketio" not in credentials  # nor Rasa's own socket.io channel (it drops replies: issue 13027)
    channel = GuardedSocketIOInput.from_credentials(credentials["bot.channels.socketio.GuardedSocketIOInput"])
    assert channel.name() == "socketio" and channel.session_persistence
