"""The Jira sites page: an admin registers a council's Jira, checks it, chooses boards, syncs."""

import pytest

from tests.jira_server.fixtures import jira_server  # noqa: F401
from tests.jira_server.sample import build_site
from tests.jira_server.server import EMAIL, PAT
from tests.support.roles import ADMIN

PAGE = "pages/admin/jira_sites.py"


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_admin_sees_the_demo_sites_and_their_syncs(demo_app) -> None:
    at = demo_app(ADMIN, PAGE)
    sites = at.dataframe[0].value
    assert set(sites["Site"]) == {"northmoor", "westbridge"}
    assert set(sites["Read from"]) == {"files (import-jira)"}
    runs = at.dataframe[-1].value
    assert {"northmoor", "westbridge"} <= set(runs["Site"])
    assert set(runs["Outcome"]) == {"succeeded"}
    # every column is labelled in words, and times are UK time with their zone
    for table in (sites, runs):
        assert not [c for c in table.columns if "_" in c or c.islower()], list(table.columns)
    assert runs["Started (UK time)"].str.fullmatch(r"\d\d \w{3} \d{4} \d\d:\d\d (GMT|BST)").all()
    # both demo sites come from files: no live connection to test
    assert any("loaded from files" in info.value for info in at.info)


def test_a_bad_address_is_refused_and_the_form_keeps_what_was_typed(demo_app) -> None:
    at = demo_app(ADMIN, PAGE)
    at.text_input(key="new_site_name").input("eastvale")
    at.text_input(key="new_site_url").input("eastvale jira")
    at.text_input(key="new_site_token_env").input("EASTVALE_PAT")
    at.selectbox(key="new_site_kind").select("datacenter")
    _button(at, "Add site").click().run()
    assert any("is not a Jira address" in e.value for e in at.error)
    assert at.text_input(key="new_site_name").value == "eastvale"
    assert at.text_input(key="new_site_url").value == "eastvale jira"


def test_admin_adds_a_live_site_tests_it_and_syncs_a_board(
    demo_app,
    jira_server,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = jira_server(build_site("datacenter"), "datacenter")
    monkeypatch.setenv("EASTVALE_PAT", PAT)
    at = demo_app(ADMIN, PAGE, timeout=60)
    at.text_input(key="new_site_name").input("eastvale")
    at.text_input(key="new_site_url").input(server.url)
    at.selectbox(key="new_site_kind").select("datacenter")
    at.text_input(key="new_site_token_env").input("EASTVALE_PAT")
    _button(at, "Add site").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "eastvale" in set(at.dataframe[0].value["Site"])

    _button(at, "Test connection").click().run()
    assert any("the credentials belong to" in s.value for s in at.success)
    assert EMAIL not in " ".join(e.value for e in at.error)

    _button(at, "Refresh the board list from Jira").click().run()
    boards = at.dataframe[1].value
    first = int(boards["Board"].iloc[0])
    at.multiselect(key="synced_boards_choice").set_value([first])
    _button(at, "Save boards to sync").click().run()
    _button(at, "Sync now").click().run()
    assert any("Synced 1 board of eastvale" in s.value for s in at.success), [
        e.value for e in at.error
    ]
    runs = at.dataframe[-1].value
    eastvale = runs[runs["Site"] == "eastvale"]
    assert list(eastvale["Outcome"]) == ["succeeded"]
    assert int(eastvale["Issues read"].iloc[0]) > 0
    assert PAT not in runs.to_string()
