"""A Jira site's address never carries credentials.

`https://user:password@host` works in a browser and in most HTTP clients, which is why people
paste it; stored, it would put a secret in the database and in every line that names the site.
Credentials belong in variables named with `--token-env` / `--email-env` (see credentials.py), so
such an address is refused wherever one is stored, and `without_credentials` is what any line
shows of an address, whatever the database holds.
"""

from urllib.parse import urlsplit, urlunsplit

#: what a refusal says to do instead
USE_VARIABLES = (
    "give the address alone and the NAME of the variable holding the token with --token-env "
    "(and, for Cloud, the one holding the account's email with --email-env)"
)


def has_credentials(url: str) -> bool:
    """Whether the address names a user (with or without a password) before its host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "@" in url
    return "@" in parts.netloc


def without_credentials(url: str) -> str:
    """The address with any user name and password taken out, for showing or storing."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.split("@")[-1] if "@" in url else url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
