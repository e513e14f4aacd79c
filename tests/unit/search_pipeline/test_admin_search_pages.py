"""Admin → Search: the synonym list (add, edit, switch, delete, defaults) and the index panel."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.jobs import JobStatus, OutboxJob
from marketplace.search import indexing
from marketplace.search.models import SearchSynonym
from tests.helpers import sign_in

PAGE = "/admin/search/synonyms"


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(is_admin=True)
    db.session.commit()
    sign_in(client, admin)
    return client


def add_rule(rule: str, **fields) -> SearchSynonym:
    synonym = SearchSynonym(rule=rule, **fields)
    db.session.add(synonym)
    db.session.commit()
    return synonym


def rules() -> list[tuple[str, bool]]:
    db.session.expire_all()
    rows = db.session.scalars(select(SearchSynonym).order_by(SearchSynonym.id))
    return [(s.rule, s.is_active) for s in rows]


@pytest.mark.parametrize("role", ["buyer", "vendor"])
def test_buyers_and_vendors_are_refused(client, make_user, make_vendor, role):
    synonym = add_rule("couch, sofa")
    user = make_user() if role == "buyer" else make_vendor().owner
    db.session.commit()
    sign_in(client, user)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"rule": "mug, cup"}).status_code == 403
    assert client.post(f"{PAGE}/{synonym.id}/delete").status_code == 403
    assert client.post("/admin/search/repair").status_code == 403
    assert rules() == [("couch, sofa", True)]


def test_visitors_are_sent_to_sign_in(client):
    response = client.post(PAGE, data={"rule": "mug, cup"})

    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]


def test_the_page_lists_rules_with_their_state(admin_client, database_only):
    add_rule("couch, sofa, settee", note="furniture")
    add_rule("denim pants => jeans", is_active=False)

    page = admin_client.get(PAGE).get_data(as_text=True)

    for text in ("couch, sofa, settee", "furniture", "denim pants =&gt; jeans", "Inactive"):
        assert text in page
    assert 'aria-current="page">Search<' in page


def test_adding_a_rule_saves_it_in_its_normal_form(admin_client, database_only):
    response = admin_client.post(
        PAGE, data={"rule": "  Couch,SOFA ,  couch ", "note": "", "is_active": "y"}
    )

    assert response.status_code == 302
    assert rules() == [("couch, sofa", True)]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Write a rule"),
        ("sofa", "An equivalence needs at least two phrases"),
        ("a => b => c", "A rule has at most one “=&gt;”."),
        ("sofa, <script>", "has characters a synonym can"),
        ("sofa => sofa", "A phrase can"),
    ],
)
def test_an_invalid_rule_is_refused_with_the_reason_next_to_the_field(
    admin_client, database_only, rule, message
):
    response = admin_client.post(PAGE, data={"rule": rule, "is_active": "y"})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="rule-error"' in page
    assert message in page
    assert rules() == []


def test_a_rule_already_in_the_list_is_refused(admin_client, database_only):
    add_rule("couch, sofa")

    response = admin_client.post(PAGE, data={"rule": "Sofa , couch", "is_active": "y"})

    assert response.status_code == 400
    assert "This rule is already in the list." in response.get_data(as_text=True)
    assert rules() == [("couch, sofa", True)]


def test_editing_a_rule(admin_client, database_only):
    synonym = add_rule("couch, sofa")
    form = admin_client.get(f"{PAGE}/{synonym.id}/edit").get_data(as_text=True)
    assert "couch, sofa" in form

    response = admin_client.post(
        f"{PAGE}/{synonym.id}/edit", data={"rule": "couch, sofa, settee", "note": "more"}
    )

    assert response.status_code == 302
    assert rules() == [("couch, sofa, settee", False)]  # the unticked box switched it off


def test_editing_shows_the_parse_error_next_to_the_field(admin_client, database_only):
    synonym = add_rule("couch, sofa")

    response = admin_client.post(f"{PAGE}/{synonym.id}/edit", data={"rule": "couch =>"})

    assert response.status_code == 400
    assert "The right side of the rule names no word or phrase." in response.get_data(as_text=True)
    assert rules() == [("couch, sofa", True)]


def test_switching_off_on_and_deleting(admin_client, database_only):
    synonym = add_rule("couch, sofa")

    admin_client.post(f"{PAGE}/{synonym.id}/deactivate")
    assert rules() == [("couch, sofa", False)]
    admin_client.post(f"{PAGE}/{synonym.id}/activate")
    assert rules() == [("couch, sofa", True)]
    admin_client.post(f"{PAGE}/{synonym.id}/delete")
    assert rules() == []


def test_a_saved_rule_that_no_longer_parses_is_marked_invalid(admin_client, database_only):
    add_rule("sofa")

    page = admin_client.get(PAGE).get_data(as_text=True)

    assert "Invalid" in page
    assert "Ignored: An equivalence needs at least two phrases" in page


def test_the_index_panel_shows_backend_and_backlog(admin_client, indexes, make_product):
    from tests.unit.search_pipeline.pipeline_support import drains_held

    with drains_held():
        make_product()
        db.session.commit()

    page = admin_client.get(PAGE).get_data(as_text=True)

    assert "Elasticsearch" in page
    assert re.search(r"Changes waiting</dt>\s*<dd>1\b", page)
    assert "Never run from here" in page
    assert "Repair index" in page


def test_the_repair_button_runs_a_repair_job(admin_client, indexes, make_product):
    product = make_product()
    db.session.commit()
    indexes[1].documents.clear()

    response = admin_client.post("/admin/search/repair", follow_redirects=True)

    assert "The search indexes were checked and repaired." in response.get_data(as_text=True)
    assert product.id in indexes[1].documents
    job = indexing.last_repair_job()
    assert job.status == JobStatus.DONE
    assert "Done" in admin_client.get(PAGE).get_data(as_text=True)


def test_a_failed_repair_says_so_and_is_retried(admin_client, indexes):
    indexes[1].down = True

    response = admin_client.post("/admin/search/repair", follow_redirects=True)

    assert "The repair did not finish" in response.get_data(as_text=True)
    job = db.session.scalars(select(OutboxJob).where(OutboxJob.func == indexing.REPAIR_JOB)).one()
    assert job.status == JobStatus.PENDING
    assert "Retrying after an error" in admin_client.get(PAGE).get_data(as_text=True)


def test_forms_need_the_csrf_token(app_factory, make_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = make_user(is_admin=True)
        db.session.commit()
        from tests.helpers import IsolatedClient

        app.test_client_class = IsolatedClient
        client = app.test_client()
        sign_in(client, admin)

        assert client.post(PAGE, data={"rule": "mug, cup"}).status_code == 400
        assert client.post("/admin/search/repair").status_code == 400
        assert db.session.scalars(select(SearchSynonym)).all() == []
