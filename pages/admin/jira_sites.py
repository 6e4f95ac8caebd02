"""Jira sites, for the programme admin: register a council's Jira, check its credentials, choose
the boards to sync, sync now, and read what each sync did."""

import pandas as pd
import streamlit as st

from tracker.errors import TrackerError, count
from tracker.jira_sync.sync import SyncProgress
from tracker.services.jira.sites import (
    add_site,
    check_site_connection,
    choose_synced_boards,
    list_boards,
    list_sites,
    recent_sync_runs,
    sync_site,
)
from tracker.ui.markdown import plain
from tracker.ui.page import attempt, page_setup
from tracker.ui.session import db, engine
from tracker.uk_time import uk_times

SITE_LABELS = {
    "name": "Site",
    "url": "Jira address",
    "kind": "Kind",
    "source": "Read from",
    "synced_boards": "Boards synced",
    "last_sync": "Last good sync (UK time)",
    "last_run": "Latest run (UK time)",
    "credentials": "Credential variables",
    "credentials_missing": "Variables not set",
}
BOARD_LABELS = {
    "board_id": "Board",
    "name": "Name",
    "type": "Type",
    "project": "Project",
    "synced": "Synced",
    "issues": "Issues",
    "last_synced_at": "Last synced (UK time)",
}
RUN_LABELS = {
    "site": "Site",
    "board": "Board",
    "outcome": "Outcome",
    "started_at": "Started (UK time)",
    "finished_at": "Finished (UK time)",
    "full": "Kind",
    "issues": "Issues read",
    "changed": "Issues changed",
    "events": "Changes recorded",
    "departed": "Issues gone from the board",
    "requests": "Requests to Jira",
    "error": "Error",
}

#: what the Finished column says of a run with no end
UNFINISHED = {"running": "still running", "interrupted": "did not finish"}

actor = page_setup("jira-sites").actor

with db() as session:
    sites = pd.DataFrame(list_sites(session, actor))

st.subheader("Sites")
if sites.empty:
    st.info("No Jira site yet. Add one below, or load files with `tracker import-jira DIR`.")
else:
    st.dataframe(
        sites.assign(
            source=sites["offline"].map({True: "files (import-jira)", False: "live API"}),
            last_sync=uk_times(sites["last_sync"], "never"),
            last_run=(sites["last_run"] + ", started " + uk_times(sites["last_run_at"])).where(
                sites["last_run"] != "", "none yet"
            ),
            credentials_missing=sites["credentials_missing"].replace("", "none"),
        )[list(SITE_LABELS)].rename(columns=SITE_LABELS),
        hide_index=True,
        key="sites_table",
    )

with st.expander("Add a site", expanded=sites.empty):
    st.write(
        "Credentials stay out of tracker: give the **names** of the environment variables (or "
        "`.streamlit/secrets.toml` keys) that hold them. Cloud: the account's email and an API "
        "token. Data Center: a personal access token."
    )
    with st.form("add_site", border=False):
        name = st.text_input("Site name", placeholder="northmoor", key="new_site_name")
        url = st.text_input(
            "Jira address", placeholder="https://northmoor.atlassian.net", key="new_site_url"
        )
        kind = st.selectbox(
            "Kind", ["cloud", "datacenter"], key="new_site_kind", format_func=str.title
        )
        token_env = st.text_input(
            "Variable holding the API token or personal access token",
            placeholder="NORTHMOOR_JIRA_TOKEN",
            key="new_site_token_env",
        )
        email_env = st.text_input(
            "Variable holding the account's email (Cloud only)",
            placeholder="NORTHMOOR_JIRA_EMAIL",
            key="new_site_email_env",
        )
        if st.form_submit_button("Add site", type="primary") and attempt(
            lambda session: add_site(
                session,
                actor,
                name=name,
                url=url,
                kind=kind,
                token_env=token_env.strip(),
                email_env=email_env.strip() or None,
            ),
            refused="Not added: ",
        ):
            st.rerun()

live = sites[~sites["offline"]]["name"].tolist() if not sites.empty else []
st.subheader("Connection, boards and sync")
if not live:
    st.info(
        "Every site here is loaded from files. To refresh one, run "
        "`tracker import-jira DIR` with the new export."
    )
else:
    site_name = st.selectbox("Site", live, key="site_name")
    if st.button("Test connection", key="test_connection"):
        attempt(
            lambda session: check_site_connection(session, actor, site_name=site_name),
            done=lambda connection: connection.line(),
        )

    refresh = st.button(
        "Refresh the board list from Jira", key="refresh_boards",
        help="Asks Jira which boards the account can see.",
    )  # fmt: skip
    boards = attempt(
        lambda session: list_boards(session, actor, site_name=site_name, refresh=refresh)
    ).value
    if boards is not None and boards.empty:
        st.info("No boards known yet: refresh the board list from Jira.")
    elif boards is not None:
        st.dataframe(
            boards.assign(
                synced=boards["synced"].map({True: "Yes", False: "No"}),
                project=boards["project"].fillna(""),
                last_synced_at=uk_times(boards["last_synced_at"], "never"),
            ).rename(columns=BOARD_LABELS),
            hide_index=True,
            key="boards_table",
        )
        labels = {
            int(board): f"{board} {name}"
            for board, name in zip(boards["board_id"], boards["name"], strict=True)
        }
        with st.form("synced_boards", border=False):
            chosen = st.multiselect(
                "Boards to sync",
                list(labels),
                default=boards.loc[boards["synced"], "board_id"].tolist(),
                format_func=labels.__getitem__,
                key="synced_boards_choice",
            )
            if st.form_submit_button("Save boards to sync") and attempt(
                lambda session: choose_synced_boards(
                    session, actor, site_name=site_name, board_ids=chosen
                )
            ):
                st.rerun()

    full = st.checkbox(
        "Full sync (re-read every issue, not only those updated since the last sync)",
        key="full_sync",
    )
    if st.button("Sync now", type="primary", key="sync_now"):
        bar = st.progress(0.0, text="Starting...")

        def show(progress: SyncProgress) -> None:
            share = min(progress.done / progress.total, 1.0) if progress.total else 0.0
            bar.progress(share, text=f"{plain(progress.board)}: {progress.done} issues read")

        try:
            result = sync_site(engine(), actor, site_name=site_name, full=full, progress=show)
        except TrackerError as exc:
            st.error(plain(exc))
        else:
            bar.progress(1.0, text="Done")
            for line in result.errors:
                st.error(plain(line))
            for line in result.warnings:
                st.warning(plain(line))
            if result.ok:
                st.success(
                    f"Synced {count(len(result.boards), 'board')} of {plain(site_name)} in "
                    f"{result.seconds:.1f} s with {count(result.requests, 'request')}."
                )

st.subheader("Recent syncs")
with db() as session:
    runs = recent_sync_runs(session, actor)
if runs.empty:
    st.info("No sync has run yet.")
else:
    st.dataframe(
        runs.assign(
            started_at=uk_times(runs["started_at"]),
            finished_at=uk_times(runs["finished_at"]).where(
                runs["finished_at"].notna(), runs["outcome"].map(UNFINISHED).fillna("")
            ),
            full=runs["full"].map({True: "Full", False: "Incremental"}),
            board=runs["board"].fillna("every synced board"),
            error=runs["error"].fillna(""),
        )[list(RUN_LABELS)].rename(columns=RUN_LABELS),
        hide_index=True,
        key="runs_table",
    )
