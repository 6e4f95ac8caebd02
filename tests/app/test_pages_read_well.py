"""Every page, as each role opens it, reads as a person expects: no table shows None, nan or
NaT, no time is given in UTC (people read UK time), and no count says "1 points"."""

import re

import pandas as pd
import pytest

from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER
from tracker.models import Role
from tracker.ui.navigation import pages_for

ROLES = {ADMIN: Role.admin, OWNER: Role.project_owner, BOARD: Role.board_member}
ROLES[SUPPLIER] = Role.supplier_contact
RAW = {"None", "nan", "NaN", "NaT", "<NA>"}
SINGULAR_AS_PLURAL = re.compile(r"\b1 (points|issues|acceptance criteria|problems|rows)\b")


def frame(element) -> pd.DataFrame:
    value = element.value
    return value.data if hasattr(value, "data") else value


def words(at) -> list[str]:
    texts = [*at.markdown, *at.caption, *at.text, *at.info, *at.success, *at.warning, *at.error]
    texts += [*at.subheader, *at.header, *at.title]
    return [t.value for t in texts]


@pytest.mark.parametrize("email", list(ROLES))
def test_every_page_reads_without_raw_blanks_utc_or_bad_plurals(demo_app, email) -> None:
    problems = []
    for page in pages_for(ROLES[email]):
        at = demo_app(email, page.path)
        for element in at.dataframe:
            if element.editing_mode != "read_only":
                continue  # an editor's empty cell is where a person types
            table = frame(element)
            for column in table.columns:
                cells = table[column]
                raw = cells.isna() | cells.astype(str).isin(RAW)
                if raw.any():
                    problems.append(f"{page.url_path}: column {column!r} shows a raw blank")
                if "UTC" in str(column):
                    problems.append(f"{page.url_path}: column {column!r} is in UTC")
        for text in words(at):
            if re.search(r"\d\d:\d\d\)? UTC\b", text):
                problems.append(f"{page.url_path}: {text!r} gives a time in UTC")
            if SINGULAR_AS_PLURAL.search(text):
                problems.append(f"{page.url_path}: {text!r}")
    assert not problems, "\n".join(problems)
