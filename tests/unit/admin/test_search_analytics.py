"""Search analytics: each buyer search is logged once (normalised, with its filters and result
count), result links count clicks and still lead to the product, and the report's counts and
click-through per query add up."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.search import analytics
from marketplace.search.analytics_models import SearchClick, SearchLog
from marketplace.search.types import SearchQuery, Sort


def logs() -> list[SearchLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(SearchLog).order_by(SearchLog.id)))


def result_links(page: str) -> list[str]:
    found = re.findall(r'class="product-card-title"><a href="([^"]+)"', page)
    return [html.unescape(href) for href in found]


def test_queries_are_normalised_before_counting():
    assert analytics.normalise_query("  Crème   BRÛLÉE  Dish ") == "creme brulee dish"


def test_filters_present_names_the_filters_not_their_values():
    query = SearchQuery(
        text="mug",
        category_path="kitchen",
        price_min_minor=100,
        in_stock=True,
        attributes={"colour": ("Red",)},
        sort=Sort.NEWEST,
    )
    assert analytics.filters_present(query) == [
        "category",
        "price",
        "in_stock",
        "attr:colour",
        "sort",
    ]


def test_a_search_is_logged_once_with_its_result_count(client, make_product):
    make_product(title="Blue Ceramic Mug")
    make_product(title="Green Ceramic Mug")
    db.session.commit()

    client.get("/search", query_string={"q": "  Ceramic MUG ", "in_stock": "1"})

    (row,) = logs()
    assert (row.query, row.total_results, row.page) == ("ceramic mug", 2, 1)
    assert row.filters == ["in_stock"] and row.has_filters
    assert row.backend == "database"


def test_browsing_without_words_and_later_pages_are_not_new_searches(client, make_product):
    make_product(title="Blue Ceramic Mug")
    db.session.commit()
    client.get("/search")
    client.get("/search", query_string={"q": "mug", "page": "2"})
    assert logs() == []


def test_a_search_that_finds_nothing_is_logged_with_zero(client):
    client.get("/search", query_string={"q": "unobtainium"})
    assert [(row.query, row.total_results) for row in logs()] == [("unobtainium", 0)]


def test_a_logging_failure_never_breaks_the_search_page(client, make_product, monkeypatch):
    from sqlalchemy.exc import OperationalError

    make_product(title="Blue Ceramic Mug")
    db.session.commit()

    def broken(*args, **kwargs):
        raise OperationalError("insert", {}, Exception("disk full"))

    monkeypatch.setattr(analytics.db.engine, "begin", broken)
    page = client.get("/search", query_string={"q": "mug"})
    assert page.status_code == 200
    (link,) = result_links(page.get_data(as_text=True))
    assert link.startswith("/products/")  # not logged, so a plain link


def test_result_links_count_the_click_and_lead_to_the_product(client, make_product):
    product = make_product(title="Blue Ceramic Mug")
    db.session.commit()

    page = client.get("/search", query_string={"q": "mug"}).get_data(as_text=True)
    (link,) = result_links(page)
    (search,) = logs()
    assert link.startswith(f"/search/click/{search.id}/{product.id}?pos=1")

    response = client.get(link)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/products/{product.slug}")
    click = db.session.scalars(select(SearchClick)).one()
    assert (click.search_id, click.product_id, click.position) == (search.id, product.id, 1)


def test_a_click_on_an_unknown_product_is_404_and_an_unknown_search_is_not_counted(
    client, make_product
):
    product = make_product(title="Blue Ceramic Mug")
    db.session.commit()
    assert client.get("/search/click/1/999999").status_code == 404
    response = client.get(f"/search/click/424242/{product.id}")
    assert response.status_code == 302
    assert db.session.scalars(select(SearchClick)).all() == []


def _log(query: str, total: int, clicks: int = 0, days_ago: int = 1) -> None:
    row = SearchLog(
        query=query,
        filters=[],
        has_filters=False,
        total_results=total,
        backend="database",
        page=1,
        at=utcnow() - timedelta(days=days_ago),
    )
    db.session.add(row)
    db.session.flush()
    for position in range(1, clicks + 1):
        db.session.add(SearchClick(search_id=row.id, product_id=1, position=position, at=row.at))


@pytest.fixture
def logged(app):
    for clicks in (2, 1, 0, 0):  # 4 searches for sofa, 2 of them clicked (3 clicks)
        _log("sofa", 12, clicks)
    _log("settee", 0)
    _log("settee", 0)
    _log("settee", 5, clicks=1)
    _log("lamp", 3, clicks=1, days_ago=60)  # outside the range
    db.session.commit()


def test_report_counts_searches_failures_and_click_through(logged):
    since, until = utcnow() - timedelta(days=30), utcnow() + timedelta(minutes=1)

    top = {stats.query: stats for stats in analytics.top_queries(since, until)}
    assert list(top) == ["sofa", "settee"]
    assert (top["sofa"].searches, top["sofa"].clicks, top["sofa"].clicked_searches) == (4, 3, 2)
    assert top["sofa"].click_through_rate == 0.5
    assert top["settee"].no_result_searches == 2
    assert top["settee"].click_through_rate == pytest.approx(1 / 3)

    failing = analytics.no_result_queries(since, until)
    assert [(s.query, s.no_result_searches) for s in failing] == [("settee", 2)]

    totals = analytics.totals(since, until)
    assert (totals.searches, totals.distinct_queries) == (7, 2)
    assert (totals.no_result_searches, totals.clicked_searches) == (2, 3)


def test_the_admin_page_links_failing_queries_to_the_synonym_form(as_admin, logged):
    page = as_admin.get("/admin/search/analytics").get_data(as_text=True)
    assert "settee" in page and "50%" in page
    link = next(
        href for href in re.findall(r'href="([^"]+)"', page) if "synonyms?rule=settee" in href
    )
    form = as_admin.get(html.unescape(link)).get_data(as_text=True)
    assert "settee, </textarea>" in form


def test_prune_command_drops_old_searches_and_their_clicks(app, logged):
    result = app.test_cli_runner().invoke(args=["admin", "prune-search-logs", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "searches_removed=1" in result.output
    assert {row.query for row in logs()} == {"sofa", "settee"}
    assert len(db.session.scalars(select(SearchClick)).all()) == 3 + 1  # the lamp's went too
