"""The contacts page: directory, search, editing, import, and personal data requests."""

import json
import os

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER
from tracker.db import create_tracker_engine
from tracker.models import Person

PAGE = "pages/people/contacts.py"
KEY = "contacts_editor_0"


def person(email: str) -> Person | None:
    engine = create_tracker_engine(os.environ["DATABASE_URL"])
    with Session(engine) as session:
        found = session.exec(select(Person).where(Person.email == email)).first()
    engine.dispose()
    return found


def directory(at: AppTest):
    return next(f.value for f in at.dataframe if "Organisation" in f.value)


def test_board_members_read_the_directory_and_search_it(demo_app) -> None:
    at = demo_app(BOARD, PAGE)
    assert len(directory(at)) == 20
    assert not at.get("file_uploader")
    assert not any(b.label == "Save contacts" for b in at.button)
    at.text_input(key="contact_search").input("ledgerline").run()
    assert set(directory(at)["Organisation"]) == {"Ledgerline Systems Ltd"}
    at.text_input(key="contact_search").input("").run()
    at.multiselect(key="contact_status").set_value(["left"]).run()
    assert directory(at)["Name"].tolist() == ["Liam Doherty"]


def test_a_supplier_sees_only_their_own_organisations_people(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    shown = directory(at)
    assert set(shown["Organisation"]) == {"Ledgerline Systems Ltd"}
    assert shown["Email"].str.endswith("@ledgerline.co.uk").all()
    assert at.multiselect(key="contact_orgs").options == ["Ledgerline Systems Ltd"]


def test_a_rejected_edit_keeps_what_was_typed(demo_app) -> None:
    at = demo_app(OWNER, PAGE)
    typed = {
        "edited_rows": {0: {"email": "not an email", "phone": "555"}},
        "added_rows": [{"name": "", "organisation": "Open Door Advice", "status": "active"}],
        "deleted_rows": [],
    }
    at.session_state[KEY] = typed
    next(b for b in at.button if b.label == "Save contacts").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Nothing was saved: 3 problems")
    problems = next(f.value for f in at.dataframe if "Problem" in f.value)
    assert problems[["Row", "Problem"]].values.tolist() == [
        [1, "email 'not an email' is not an email address"],
        [1, "phone '555' is not a UK phone number"],
        [21, "name is required"],
    ]
    assert at.session_state[KEY] == typed
    assert person("not an email") is None


def test_a_good_edit_is_saved(demo_app) -> None:
    at = demo_app(ADMIN, PAGE)
    at.session_state[KEY] = {
        "edited_rows": {0: {"job_title": "Director of Care Services"}},
        "added_rows": [
            {
                "name": "Nia Evans",
                "organisation": "Open Door Advice",
                "email": "nia.evans@opendooradvice.org.uk",
                "phone": "+44 (0)1632 960703",
                "status": "active",
            }
        ],
        "deleted_rows": [],
    }
    next(b for b in at.button if b.label == "Save contacts").click().run()
    assert [s.value for s in at.success][-1] == "Saved: 2 rows written."
    # the directory is in organisation then name order: Binwise Digital Ltd's Jack Turner first
    assert person("jack.turner@binwise.co.uk").job_title == "Director of Care Services"
    assert person("nia.evans@opendooradvice.org.uk").organisation_id


def test_admins_export_a_persons_data_as_json(demo_app) -> None:
    at = demo_app(ADMIN, PAGE)
    box = at.selectbox(key="gdpr_person")
    at = box.select_index(box.options.index("Liam Doherty (Open Door Advice)")).run()
    download = next(d for d in at.get("download_button") if "everything held" in d.proto.label)
    assert download.proto.label == "Download everything held about them (JSON)"
    erase = next(b for b in at.button if b.label == "Erase this person")
    assert erase.disabled
    at.checkbox(key="gdpr_confirm").check().run()
    next(b for b in at.button if b.label == "Erase this person").click().run()
    liam_id = at.selectbox(key="gdpr_person").value
    assert at.success[-1].value == f"Erased: they now appear as 'Erased person {liam_id}'."
    assert person("liam.doherty@opendooradvice.org.uk") is None


def test_project_owners_have_no_personal_data_requests(demo_app) -> None:
    at = demo_app(OWNER, PAGE)
    assert at.get("file_uploader")
    assert not any(s.value.startswith("Personal data") for s in at.subheader)
    assert json.dumps([b.label for b in at.button]).count("Erase") == 0
