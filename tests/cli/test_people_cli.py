"""`tracker contacts import|export` and `tracker person export|erase` on the demo programme."""

import json

import pandas as pd


def test_export_then_import_round_trips(tracker, tmp_path) -> None:
    workbook = tmp_path / "all.xlsx"
    assert tracker("contacts", "export", str(workbook)).returncode == 0
    sheets = pd.read_excel(workbook, sheet_name=None)
    assert set(sheets) == {"Contacts", "Engagements"}
    assert len(sheets["Contacts"]) == 20
    assert len(sheets["Engagements"]) == 39
    result = tracker("contacts", "import", str(workbook))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "20 contacts rows, 39 engagements rows"
    csv = tmp_path / "engagements.csv"
    tracker("contacts", "export", str(csv), "--table", "engagements")
    assert csv.read_text().startswith("deliverable,stage,email,person,raci,side")


def test_a_bad_file_is_rejected_with_every_row_and_nothing_written(tracker, tmp_path) -> None:
    bad = tmp_path / "people.csv"
    bad.write_text(
        "name,organisation,email,phone\n"
        "New Person,Open Door Advice,new@opendooradvice.org.uk,01632 960799\n"
        "Broken,Open Door Advice,broken,\n"
        "Also Broken,Nowhere,,999\n"
    )
    result = tracker("contacts", "import", str(bad))
    assert result.returncode == 1
    assert "Contacts row 3: email 'broken' is not an email address" in result.stderr
    assert "Contacts row 4: organisation 'Nowhere' is not known to tracker" in result.stderr
    assert "Contacts row 4: phone '999' is not a UK phone number" in result.stderr
    assert "nothing was saved" in result.stderr
    after = tmp_path / "after.csv"
    tracker("contacts", "export", str(after))
    assert "new@opendooradvice.org.uk" not in after.read_text()


def test_person_export_and_erase(tracker) -> None:
    email = "liam.doherty@opendooradvice.org.uk"
    before = json.loads(tracker("person", "export", email).stdout)
    assert before["person"]["name"] == "Liam Doherty"
    assert [e["stage"] for e in before["engagements"]] == ["Discovery", "Alpha"]
    erased = tracker("person", "erase", email, "--yes")
    assert erased.returncode == 0, erased.stderr
    person_id = before["person"]["id"]
    assert erased.stdout.strip() == (
        f"erased person {person_id}; they now appear as 'Erased person {person_id}'"
    )
    assert tracker("person", "export", email).returncode == 1
    after = json.loads(tracker("person", "export", str(person_id)).stdout)
    assert after["person"]["name"] == f"Erased person {person_id}"
    assert after["person"]["email"] is None
    assert [e["stage"] for e in after["engagements"]] == ["Discovery", "Alpha"]
    engage = tracker("engage", "--deliverable", "WA-01").stdout
    assert f"Erased person {person_id}" in engage
    assert "Liam" not in engage


def test_erasure_asks_first_and_only_admins_may(tracker) -> None:
    email = "owen.pritchard@skywardtelecom.co.uk"
    asked = tracker("person", "erase", email)
    assert asked.returncode == 1
    assert "Aborted" in asked.stderr
    denied = tracker("--as", "tom.hargreaves@northmoor.gov.uk", "person", "erase", email, "--yes")
    assert denied.returncode == 1
    assert denied.stderr.strip() == "error: project owners may not export or erase a person's data"
