"""Production configuration guards: trusted hosts (R42), SECRET_KEY fallbacks (R74) and rate
limits configured for every environment (R77)."""

import re

import pytest

from config import DEV_SECRET_KEY, ProductionConfig
from school_tracker import create_app
from tests.conftest import make_config, production_config


@pytest.mark.requirement("R77")
def test_r77_search_and_upload_limits_are_configured_for_every_environment():
    """The defaults are per person and generous: no real school reaches them."""
    for config in (ProductionConfig, make_config("sqlite://")):
        assert re.fullmatch(r"\d+ per (minute|hour)", config.SEARCH_LIMIT)
        assert re.fullmatch(r"\d+ per (minute|hour)", config.IMPORT_LIMIT)


# --- R42/R9 and R74: production refuses an open Host list and weak keys -----------------------


@pytest.mark.requirement("R42")
@pytest.mark.parametrize("hosts", [None, [], "tracker.example.org"])
def test_r42_production_will_not_start_without_a_trusted_hosts_list(database_url, hosts):
    with pytest.raises(RuntimeError, match="TRUSTED_HOSTS"):
        create_app(production_config(database_url, TRUSTED_HOSTS=hosts))


@pytest.mark.requirement("R42")
def test_r42_production_with_trusted_hosts_starts_and_refuses_other_hosts(make_app, database_url):
    hosts = ["tracker.example.org"]
    client = make_app(production_config(database_url, TRUSTED_HOSTS=hosts)).test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "tracker.example.org"}).status_code == 200


@pytest.mark.parametrize("old_key", ["short", DEV_SECRET_KEY, "é" * 15, ""])
def test_r74_production_refuses_a_weak_secret_key_fallback(database_url, old_key):
    fallbacks = ["o" * 48, old_key]
    with pytest.raises(RuntimeError, match="SECRET_KEY_FALLBACKS"):
        create_app(production_config(database_url, SECRET_KEY_FALLBACKS=fallbacks))


def test_r74_strong_fallbacks_and_a_key_of_32_bytes_are_accepted(make_app, database_url):
    key = "é" * 16  # 16 characters, 32 bytes in UTF-8: R74 counts bytes
    app = make_app(production_config(database_url, SECRET_KEY=key, SECRET_KEY_FALLBACKS=["o" * 48]))
    assert app.config["SECRET_KEY"] == key


def test_r74_a_key_of_31_bytes_is_refused(database_url):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production_config(database_url, SECRET_KEY="é" * 15 + "x"))
