"""The formats people type: emails, UK phone numbers, RACI letters, numbers and dates."""

from datetime import date

import pytest

from tracker.services.validation import day, is_email, is_uk_phone, raci, whole_number


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("karen.stokes@ledgerline.co.uk", True),
        ("a+tag@x.org", True),
        ("no-at-sign.org", False),
        ("two@@x.org", False),
        ("spaces in@x.org", False),
        ("nodot@localhost", False),
    ],
)
def test_email(value: str, ok: bool) -> None:
    assert is_email(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("01632 960101", True),
        ("020 7946 0811", True),
        ("0161 496 0321", True),
        ("07700 900123", True),
        ("07700-900-123", True),
        ("(01632) 960101", True),
        ("+44 20 7946 0811", True),
        ("+44 (0)20 7946 0811", True),
        ("0800 123 4567", True),
        ("+1 555 0100", False),
        ("+44 020 7946 0811", False),
        ("00000 000000", False),
        ("01632 9601", False),
        ("0163 2960 10123", False),
        ("phone me", False),
    ],
)
def test_uk_phone(value: str, ok: bool) -> None:
    assert is_uk_phone(value) is ok


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A", "A"),
        ("a/r", "RA"),
        ("I, C", "CI"),
        ("RACI", "RACI"),
        ("AA", None),
        ("X", None),
        ("", None),
    ],
)
def test_raci_letters_in_canonical_order(value: str, expected: str | None) -> None:
    assert raci(value) == expected


def test_whole_numbers_and_dates() -> None:
    assert whole_number("3", 1, 5) == 3
    assert whole_number(4.0, 1, 5) == 4
    assert whole_number("3.5", 1, 5) is None
    assert whole_number("6", 1, 5) is None
    assert whole_number(None, 1) is None
    assert day("2026-12-18") == date(2026, 12, 18)
    assert day(None) is None
    with pytest.raises(ValueError):
        day("18/12/2026")
