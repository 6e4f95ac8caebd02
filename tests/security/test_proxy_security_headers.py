"""ASVS probe finding 14: no security headers.

Streamlit sends none, so a deployment's reverse proxy must add them. The README's deployment
section names each header, and the example proxy configuration (deploy/nginx/tracker.conf) adds
each one to every response and proxies Streamlit's websocket. The README also states the other
limits a deployment relies on: the upload size and the deliverable ref format.
"""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NGINX = (ROOT / "deploy" / "nginx" / "tracker.conf").read_text(encoding="utf-8")

HEADERS = [
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
]


def _config_lines() -> list[str]:
    return [line.split("#", 1)[0].strip() for line in NGINX.splitlines() if line.split("#", 1)[0]]


def _added_headers() -> dict[str, str]:
    """Header name -> value of every `add_header ... always;` in the example."""
    found = {}
    for line in _config_lines():
        match = re.fullmatch(r'add_header\s+([\w-]+)\s+"([^"]*)"\s+always;', line)
        if match:
            found[match[1]] = match[2]
    return found


def _location(path: str) -> str:
    match = re.search(rf"location\s+(?:=\s+)?{re.escape(path)}\s*\{{(.*?)\}}", NGINX, re.S)
    assert match, f"deploy/nginx/tracker.conf has no location {path}"
    return match[1]


@pytest.mark.parametrize("header", HEADERS)
def test_the_example_proxy_adds_each_header_to_every_response(header: str) -> None:
    assert header in _added_headers()
    # in the server block, not in a location (a location's own add_header drops the server's)
    assert not any("add_header" in _location(path) for path in ("/", "/_stcore/stream"))


def test_the_headers_say_https_only_no_framing_no_sniffing() -> None:
    headers = _added_headers()
    csp = {
        d.split()[0]: d.split()[1:]
        for d in headers["Content-Security-Policy"].split(";")
        if d.strip()
    }
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert "'unsafe-eval'" not in csp["script-src"]  # WebAssembly only: 'wasm-unsafe-eval'
    assert int(re.search(r"max-age=(\d+)", headers["Strict-Transport-Security"])[1]) >= 31536000
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in {"no-referrer", "strict-origin-when-cross-origin"}


def test_the_example_proxies_streamlits_websocket_and_uploads() -> None:
    stream = _location("/_stcore/stream")
    assert "proxy_http_version 1.1;" in stream
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    assert "proxy_set_header Connection $connection_upgrade;" in stream
    assert re.search(r"proxy_read_timeout \d{4,}s;", stream)
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    body = re.search(r"client_max_body_size (\d+)m;", NGINX)
    assert body and int(body[1]) > config["server"]["maxUploadSize"]
    assert "return 301 https://" in NGINX


def test_the_readme_deployment_section_names_each_header_and_the_example() -> None:
    running = README.split("## Running it for real", 1)[1].split("\n## ", 1)[0]
    for header in HEADERS:
        assert f"`{header}`" in running, f"{header} missing from the README's deployment section"
    assert "frame-ancestors 'none'" in running
    assert "(deploy/nginx/tracker.conf)" in running
    assert "/_stcore/stream" in running


def test_the_readme_notes_the_upload_limit_and_the_ref_format() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    words = " ".join(README.split())
    assert f"files up to {config['server']['maxUploadSize']} MB" in words
    assert "a `ref` is letters, digits and dashes, at most 30" in words
