"""The supplier assurance page: the gate's decisions in words, the register, rules and overrides."""

from streamlit.testing.v1 import AppTest

from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER

PAGE = "pages/people/assurance.py"


def table_with(at: AppTest, column: str):
    return next(f.value for f in at.dataframe if column in f.value)


def choose(at: AppTest, key: str, label_start: str) -> AppTest:
    box = at.selectbox(key=key)
    index = next(i for i, o in enumerate(box.options) if o.startswith(label_start))
    return box.select_index(index).run()


def test_the_gate_decision_is_written_out(demo_app) -> None:
    at = demo_app(BOARD, PAGE)
    compliance = table_with(at, "Gate").set_index("Ref")
    assert compliance.loc["WA-01", "Gate"] == "blocked"
    assert compliance.loc["WA-01", "Missing"] == "NHS DSPT (Standards Met)"
    assert compliance.loc["RB-01", "Gate"] == "compliant"
    assert int(next(m for m in at.metric if m.label == "Blocked").value) >= 1
    # each blocked pairing is a card above the wide table, naming what is missing
    assert any(
        w.value.startswith("**WA-01**") and "missing NHS DSPT (Standards Met)" in w.value
        for w in at.warning
    )
    rules = table_with(at, "Required scheme")
    social_care = rules[rules["Data sensitivity"] == "adult social care personal data"]
    assert social_care["Required scheme"].tolist() == ["Cyber Essentials", "NHS DSPT"]
    assert not any(b.label.startswith("Save") for b in at.button)
    assert not any(s.value.startswith("Give a deliverable") for s in at.subheader)


def test_a_supplier_sees_their_own_register_and_deliverables(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    assert set(table_with(at, "Certificate")["Organisation"]) == {"Ledgerline Systems Ltd"}
    assert set(table_with(at, "Gate")["Ref"]) == {"CTAX-02", "RB-01"}


def test_an_owner_is_blocked_and_cannot_override(demo_app) -> None:
    at = demo_app(OWNER, PAGE)
    assert [o.split(" ")[0] for o in at.selectbox(key="gate_deliverable").options] == ["RB-01"]
    at = choose(choose(at, "gate_deliverable", "RB-01"), "gate_org", "Open Door Advice")
    assert at.success[-1].value.startswith("Compliant: Open Door Advice holds what RB-01 needs")
    assert not at.text_area


def test_the_gate_says_nothing_until_someone_chooses_a_pairing(demo_app) -> None:
    at = demo_app(ADMIN, PAGE)
    assert at.selectbox(key="gate_deliverable").value is None
    assert at.selectbox(key="gate_org").value is None
    assert not [e for e in at.error if e.value.startswith("Blocked")]
    assert not [b for b in at.button if b.label == "Give it to this organisation"]
    at = choose(at, "gate_deliverable", "WA-01")
    assert not [e for e in at.error if e.value.startswith("Blocked")]


def test_an_admin_overrides_the_gate_with_a_recorded_reason(demo_app) -> None:
    at = choose(demo_app(ADMIN, PAGE), "gate_deliverable", "WA-01")
    at = choose(at, "gate_org", "Open Door Advice")
    assert at.error[-1].value.startswith("Blocked: Open Door Advice lacks NHS DSPT (Standards Met)")
    assign = next(b for b in at.button if b.label == "Give it to this organisation")
    assert assign.disabled
    at.text_area(key="gate_reason").input("DSPT submitted 20 Nov; interim DPA signed").run()
    next(b for b in at.button if b.label == "Give it to this organisation").click().run()
    assert at.success[-1].value == "Open Door Advice now supplies WA-01."
    at.run()
    compliance = table_with(at, "Gate").set_index("Ref")
    assert compliance.loc["WA-01", "Gate"] == "overridden"
    overrides = table_with(at, "Reason")
    assert overrides.loc[0, "Overridden by"] == "Priya Raman"
    assert overrides.loc[0, "State"] == "in force"
    next(b for b in at.button if b.label == "Withdraw this override").click().run()
    at.run()
    assert table_with(at, "Gate").set_index("Ref").loc["WA-01", "Gate"] == "blocked"
