"""Reading page numbers and dates from query strings, and answering with a CSV download."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.web import MAX_PAGE_NUMBER, csv_download, iso_date, page_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        (" 4 ", 4),
        ("0", 1),
        ("-2", 1),
        ("two", 1),
        ("2.5", 1),
        ("99999999999", MAX_PAGE_NUMBER),
    ],
)
def test_page_number_forgives_junk_and_caps_the_number(text, expected):
    assert page_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03-31", date(2026, 3, 31)), ("", None), (None, None), ("31/03/2026", None)],
)
def test_iso_date_reads_yyyy_mm_dd_or_gives_none(text, expected):
    assert iso_date(text) == expected


def test_csv_download_is_an_uncached_attachment(app):
    with app.test_request_context():
        response = csv_download("a,b\r\n1,2\r\n", "figures-2026-03.csv")

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="figures-2026-03.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data(as_text=True) == "a,b\r\n1,2\r\n"
