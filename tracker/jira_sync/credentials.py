"""Where a site's credentials come from: the environment, else `.streamlit/secrets.toml`.

The database holds only the names of the variables. Values are read at the moment of connecting
and live only inside the HTTP session; `Credentials` hides them from repr so a log line or a
traceback cannot print them.
"""

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.jira_sync.errors import SyncError
from tracker.models import JiraSite, SiteKind

SECRETS_FILE = Path(".streamlit") / "secrets.toml"


@dataclass(frozen=True)
class Credentials:
    kind: SiteKind
    token: str = field(repr=False)
    email: str | None = field(default=None, repr=False)

    def client_auth(self) -> dict[str, Any]:
        """Keyword arguments for `jira.JIRA`: basic auth on Cloud, a bearer PAT on Data Center."""
        if self.kind is SiteKind.cloud:
            return {"basic_auth": (self.email, self.token)}
        return {"token_auth": self.token}


def _secrets(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SyncError(f"{path} is not valid TOML ({exc}).") from None


def variable_names(site: JiraSite) -> list[str]:
    """The variables a site needs, in the order a person would set them."""
    if SiteKind(site.kind) is SiteKind.cloud:
        return [name for name in (site.email_env, site.token_env) if name]
    return [site.token_env] if site.token_env else []


def missing_variables(site: JiraSite, secrets_file: Path = SECRETS_FILE) -> list[str]:
    """Which of the site's variables are set nowhere (names only, for the admin page)."""
    secrets = _secrets(secrets_file)
    return [
        name for name in variable_names(site) if not (os.environ.get(name) or secrets.get(name))
    ]


def credentials_for(site: JiraSite, secrets_file: Path = SECRETS_FILE) -> Credentials:
    """The site's credentials; the environment wins over secrets.toml."""
    kind = SiteKind(site.kind)
    if not site.token_env or (kind is SiteKind.cloud and not site.email_env):
        needed = "--email-env and --token-env" if kind is SiteKind.cloud else "--token-env"
        raise SyncError(
            f"Jira site '{site.name}' has no credential variables: set {needed} on the site."
        )
    secrets = _secrets(secrets_file)
    values = {name: os.environ.get(name) or secrets.get(name) for name in variable_names(site)}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise SyncError(
            f"Jira site '{site.name}' needs {' and '.join(missing)} set in the environment "
            f"or in {secrets_file}."
        )
    return Credentials(
        kind=kind,
        token=str(values[site.token_env]),
        email=str(values[site.email_env]) if site.email_env else None,
    )
