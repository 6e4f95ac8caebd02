"""`tracker serve`: the dashboard, as `streamlit run streamlit_app.py` with one difference.

Streamlit treats an app whose entry script sits beside a `pages/` folder as a legacy (version 1)
multipage app until the first session calls st.navigation: the first script run after a server
starts looks for the requested page among `pages/*.py`, so the first visitor who opens a page's
own address (a bookmarked /contacts) gets a "Page not found" dialog over the page they asked for.
tracker's `pages/<section>/<page>.py` are st.navigation's, so the server is told so before it
serves anyone (`PagesManager.uses_pages_directory`, Streamlit 1.67; the same behaviour is
streamlit/streamlit issue 8860). tests/e2e/test_deep_link.py holds it.
"""

from pathlib import Path

import typer

from tracker.cli.app import operator_only
from tracker.errors import NotFound

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

#: the entry script, at the repository's root
APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"


@commands.command(
    "serve", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def serve(ctx: typer.Context) -> None:
    """Start the dashboard; any further options are `streamlit run`'s.

    For example `tracker serve --server.port 8502 --server.headless true`."""
    operator_only("serve")
    if not APP.is_file():
        raise NotFound(f"the dashboard's entry script is missing: {APP}")
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    cli.main(["run", str(APP), *ctx.args], prog_name="tracker serve")
