"""The Streamlit app under test: where it is, the secrets it runs with, who is signed in."""

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")

#: Secrets that replace any developer's own .streamlit/secrets.toml in these tests: without an
#: [auth] section (demo mode), and with one (sign-in). AppTest never calls the provider.
NO_AUTH_SECRETS = {"tests": "no [auth] section"}
AUTH_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret-that-is-long-enough-0123456789",
        "client_id": "tracker-tests",
        "client_secret": "test-client-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}
#: when the identity token of every signed-in AppTest user was issued (`iat`)
ISSUED_AT = 1_790_000_000


def identity(email: str | None, **claims: Any) -> dict[str, Any]:
    """`at.user` for someone whom the identity provider signed in (None: nobody signed in)."""
    if email is None:
        return {"is_logged_in": False}
    return {"is_logged_in": True, "email": email, "name": email.split("@")[0], "iat": ISSUED_AT}
