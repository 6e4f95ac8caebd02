"""Users and sign-ins as the admin sees it: letting someone in names the person and the role
explicitly (nothing preselected), and demo mode says why it lists no sign-ins."""

from tests.support.roles import ADMIN

USERS = "pages/admin/users.py"


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_letting_someone_in_preselects_no_contact_and_no_role(demo_app) -> None:
    at = demo_app(ADMIN, USERS)
    assert at.selectbox(key="new_user_person").value is None
    role = at.selectbox(key="new_user_role")
    assert role.value is None
    assert role.options[0] == "programme board member" and role.options[-1] == "admin"
    accounts = len(next(f.value for f in at.dataframe if "email" in f.value.columns))
    button(at, "Give them an account").click().run()
    assert [e.value for e in at.error] == ["Not saved: choose a contact and a role."]
    assert not at.success
    assert len(next(f.value for f in at.dataframe if "email" in f.value.columns)) == accounts


def test_demo_mode_says_it_records_no_sign_ins(demo_app) -> None:
    at = demo_app(ADMIN, USERS)
    assert any("Demo mode records no sign-ins" in i.value for i in at.info)
    assert not [f for f in at.dataframe if "What" in f.value.columns]
