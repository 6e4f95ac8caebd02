"""How the app lets people in: the identity provider, the demo picker, or not at all."""

import tomllib

import pytest

from tracker.config import (
    PROJECT_ROOT,
    SECRETS_EXAMPLE,
    Settings,
    SignInMode,
    SignInNotConfigured,
    auth_providers,
    get_settings,
    sign_in_mode,
)

SECRET = "s3cret-client-value"
COOKIE = "c" * 40
PROVIDER = {
    "client_id": "tracker",
    "client_secret": SECRET,
    "server_metadata_url": "https://login.example/.well-known/openid-configuration",
}
SHARED = {"redirect_uri": "https://tracker.example/oauth2callback", "cookie_secret": COOKIE}


def settings(demo: bool) -> Settings:
    return Settings(database_url="sqlite://", demo=demo, admins=())


def refusal(demo: bool, auth: dict | None) -> str:
    with pytest.raises(SignInNotConfigured) as refused:
        sign_in_mode(settings(demo), auth)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_without_auth_or_demo_it_refuses_in_one_line() -> None:
    message = refusal(False, None)
    assert "[auth]" in message and "TRACKER_DEMO=1" in message
    assert refusal(False, {}) == message  # an empty [auth] table is no sign-in either


def test_demo_mode_needs_tracker_demo() -> None:
    assert sign_in_mode(settings(True), None) is SignInMode.demo


@pytest.mark.parametrize("demo", [False, True])
def test_an_auth_section_always_means_the_identity_provider(demo: bool) -> None:
    """A deployment with sign-in never offers the demo picker, whatever TRACKER_DEMO says."""
    assert sign_in_mode(settings(demo), {**SHARED, **PROVIDER}) is SignInMode.identity_provider
    named = {**SHARED, "microsoft": PROVIDER}
    assert sign_in_mode(settings(demo), named) is SignInMode.identity_provider


@pytest.mark.parametrize("demo", [False, True])
def test_an_incomplete_auth_section_refuses_naming_what_is_missing(demo: bool) -> None:
    message = refusal(demo, {"cookie_secret": COOKIE, "microsoft": {"client_secret": SECRET}})
    assert "[auth] redirect_uri" in message
    assert "[auth.microsoft] client_id" in message
    assert "[auth.microsoft] server_metadata_url" in message
    assert SECRET not in message and COOKIE not in message
    assert "an identity provider" in refusal(demo, SHARED)


def test_a_guessable_cookie_secret_refuses() -> None:
    """Streamlit signs the identity cookie with it: knowing it is passing as anyone."""
    message = refusal(True, {**SHARED, **PROVIDER, "cookie_secret": "short"})
    assert "cookie_secret" in message and "32" in message and "short" not in message


def test_the_committed_example_cannot_be_deployed_unchanged() -> None:
    example = tomllib.loads((PROJECT_ROOT / SECRETS_EXAMPLE).read_text(encoding="utf-8"))
    assert auth_providers(example["auth"]) == ["microsoft"]
    assert "cookie_secret" in refusal(False, example["auth"])
    filled = {**example["auth"], "cookie_secret": COOKIE}
    assert sign_in_mode(settings(False), filled) is SignInMode.identity_provider


def test_providers_are_the_unnamed_one_then_each_named_table() -> None:
    auth = {**SHARED, **PROVIDER, "client_kwargs": {"prompt": "login"}, "okta": PROVIDER}
    assert auth_providers(auth) == [None, "okta"]
    assert auth_providers({**SHARED, "microsoft": PROVIDER, "okta": PROVIDER}) == [
        "microsoft",
        "okta",
    ]


def test_first_admins_are_read_in_lower_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_ADMINS", " Ann@Council.gov.uk, ,bob@council.gov.uk ")
    monkeypatch.setenv("TRACKER_DEMO", "0")
    read = get_settings()
    assert read.admins == ("ann@council.gov.uk", "bob@council.gov.uk")
    assert read.demo is False
