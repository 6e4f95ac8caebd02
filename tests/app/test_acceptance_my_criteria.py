"""'Criteria waiting for me': a supplier contact's own queue as one card per criterion, soonest
due first with overdue in words, what waits for the council kept in sight, and each save's
outcome on the card whose button was pressed."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.roles import ADMIN, BOARD, IDLE_SUPPLIER, OWNER, SUPPLIER

PAGE = "pages/acceptance/my_criteria.py"


def _click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def cards(at: AppTest) -> dict[str, object]:
    """The criterion cards by their heading ("RB-01 AC-4"), in page order."""
    found = {}
    for block in at.main.children.values():
        key = getattr(block, "key", None) or ""
        if str(key).startswith("criterion_card_"):
            heading = next(m.value for m in block.markdown if "**" in m.value)
            found[heading.split("**")[1]] = block
    return found


def test_a_supplier_sees_one_card_per_criterion_soonest_due_first(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    assert [h.value for h in at.subheader] == ["Needs you (4)", "Waiting for the council (2)"]
    assert list(cards(at)) == [
        "RB-01 AC-2",  # rejected, due 20 Nov: overdue
        "CTAX-02 AC-3",  # sent, due 25 Nov: overdue
        "RB-01 AC-4",
        "CTAX-02 AC-2",
        "RB-01 AC-1",  # evidence Karen submitted, for the council to decide
        "CTAX-02 AC-1",  # the query Karen raised stays in sight
    ]
    shown = cards(at)
    for heading, overdue in (("RB-01 AC-2", True), ("CTAX-02 AC-3", True), ("RB-01 AC-4", False)):
        badge = any("Overdue" in m.value for m in shown[heading].markdown)
        assert badge is overdue, heading
    assert any("was due 25 Nov 2026" in c.value for c in shown["CTAX-02 AC-3"].caption)
    # the rejection reason is on the card, so they know what to fix
    assert any(
        t.value.startswith("The test ran against build 4.6") for t in shown["RB-01 AC-2"].text
    )
    assert not any(b.label for b in shown["CTAX-02 AC-1"].button)  # the council's to answer
    assert [b.label for b in shown["RB-01 AC-4"].button] == [
        "Confirm AC-4 as understood",
        "Query AC-4",
    ]


def test_no_nan_where_a_criterion_has_no_comment_or_reference(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    words = [*at.text, *at.caption, *at.markdown]
    assert not [w.value for w in words if "nan" in w.value.split() or "None" in w.value]


def test_the_outcome_shows_on_the_card_whose_button_was_pressed(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    _click(at, "Query AC-4")
    assert [e.value for e in cards(at)["RB-01 AC-4"].error] == ["Give the question."]
    _click(at, "Confirm AC-4 as understood")
    card = cards(at)["RB-01 AC-4"]
    assert [s.value for s in card.success] == ["Saved: AC-4 is now 'confirmed', version 1."]
    assert any("Confirmed, version 1" in c.value for c in card.caption)
    assert len(at.success) == 1  # only there, not out of view at the top


def test_a_query_keeps_its_card_waiting_for_the_council(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    box = next(t for t in cards(at)["RB-01 AC-4"].text_area if "question" in t.label)
    box.input("Does 'instalments' include weekly payments?")
    _click(at, "Query AC-4")
    assert [h.value for h in at.subheader] == ["Needs you (3)", "Waiting for the council (3)"]
    card = cards(at)["RB-01 AC-4"]
    assert [s.value for s in card.success] == ["Saved: AC-4 is now 'queried', version 1."]
    assert any(t.value == "Does 'instalments' include weekly payments?" for t in card.text)


def test_evidence_links_must_be_web_addresses(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    card = cards(at)["CTAX-02 AC-2"]
    evidence = next(t for t in card.text_area if t.key.endswith("_evidence")).key
    at.text_area(key=evidence).input("javascript:alert(1) click me")
    next(b for b in card.button if b.label == "Submit evidence for AC-2").click().run()
    card = cards(at)["CTAX-02 AC-2"]
    assert card.error[0].value.startswith("Evidence links must be web addresses")
    assert at.text_area(key=evidence).value == "javascript:alert(1) click me"
    at.text_area(key=evidence).input("https://ledgerline.example/rerun.pdf Rerun")
    next(b for b in card.button if b.label == "Submit evidence for AC-2").click().run()
    assert [s.value for s in cards(at)["CTAX-02 AC-2"].success] == [
        "Saved: AC-2 is now 'evidence submitted', version 2."
    ]


def test_nothing_needing_them_says_so_and_keeps_what_waits_for_the_council(demo_app) -> None:
    at = demo_app(IDLE_SUPPLIER, PAGE)
    assert [h.value for h in at.subheader] == ["Needs you (0)", "Waiting for the council (1)"]
    assert "Nothing needs you now." in [c.value for c in at.caption]
    assert list(cards(at)) == ["ASC-01 AC-1"]


@pytest.mark.parametrize("email", [ADMIN, OWNER, BOARD])
def test_staff_do_not_have_the_page(demo_app, email: str) -> None:
    at = demo_app(email)
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page(PAGE)
