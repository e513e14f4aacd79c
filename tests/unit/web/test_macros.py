"""The shared template macros: accessible form fields, error summaries, pagination, stars."""

from __future__ import annotations

import re

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from marketplace.pagination import Page


class ShopForm(FlaskForm):
    name = StringField(
        "Shop name", validators=[DataRequired()], description="Shown to buyers on every listing."
    )
    tagline = StringField("Tagline", validators=[Length(max=5)])
    agree = BooleanField("I accept the seller terms")


def render(template: str, **context) -> str:
    return render_template_string('{% import "_macros.html" as m %}' + template, **context)


def test_field_links_label_help_and_errors(app):
    with app.test_request_context(method="POST", data={"name": "", "tagline": "far too long"}):
        form = ShopForm()
        form.validate()
        html = render("{{ m.field(form.name) }}{{ m.field(form.tagline) }}", form=form)

    name_input = re.search(r'<input[^>]*id="name"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in name_input
    assert 'aria-describedby="name-help name-error"' in name_input
    assert '<label class="field-label" for="name">Shop name</label>' in html
    assert '<p class="field-help" id="name-help">Shown to buyers on every listing.</p>' in html
    assert re.search(
        r'<ul class="field-errors" id="name-error">\s*<li>This field is required', html
    )
    assert 'Tagline <span class="field-optional">(optional)</span>' in html


def test_valid_field_is_not_marked_invalid(app):
    with app.test_request_context():
        form = ShopForm(data={"name": "Kiln & Co"})
        html = render("{{ m.field(form.name, autocomplete='organization') }}", form=form)

    assert "aria-invalid" not in html
    assert 'aria-describedby="name-help"' in html
    assert 'autocomplete="organization"' in html
    assert 'value="Kiln &amp; Co"' in html


def test_checkbox_puts_the_box_before_its_label(app):
    with app.test_request_context():
        html = render("{{ m.field(form.agree) }}", form=ShopForm())
    assert html.index('type="checkbox"') < html.index("I accept the seller terms")
    assert "field--check" in html


def test_form_errors_summarises_form_and_field_problems(app):
    with app.test_request_context(method="POST", data={"name": ""}):
        form = ShopForm()
        form.validate()
        form.form_errors.append("Your shop is suspended.")
        html = render("{{ m.form_errors(form) }}", form=form)

    assert 'role="alert"' in html
    assert "<li>Your shop is suspended.</li>" in html
    assert '<a href="#name">Shop name: This field is required.</a>' in html


def test_form_errors_renders_nothing_for_a_clean_form(app):
    with app.test_request_context():
        assert render("{{ m.form_errors(form) }}", form=ShopForm()).strip() == ""


def test_pagination_links_keep_the_filters(app):
    page = Page(items=list(range(24)), total=240, page=5, per_page=24)
    with app.test_request_context():
        html = render(
            "{{ m.pagination(page, 'buyers.search', q='mug', category='kitchen') }}", page=page
        )

    assert 'rel="prev" href="/search?page=4&amp;q=mug&amp;category=kitchen"' in html
    assert 'rel="next" href="/search?page=6&amp;q=mug&amp;category=kitchen"' in html
    assert re.search(r'aria-current="page" href="/search\?page=5[^"]*"', html)
    assert "&hellip;" in html  # pages 2 and 8-9 are skipped


def test_pagination_hidden_for_a_single_page(app):
    with app.test_request_context():
        html = render("{{ m.pagination(page, 'buyers.search') }}", page=Page([1], 1, 1, 24))
    assert html.strip() == ""


def test_stars_describe_the_rating_for_screen_readers(app):
    with app.test_request_context():
        html = render("{{ m.stars(3.5, 12) }}")
    assert 'aria-label="Rated 3.5 out of 5 from 12 reviews"' in html
    assert html.count("star--full") == 3
    assert html.count("star--half") == 1
    assert html.count("star--empty") == 1


def test_no_stars_without_a_rating(app):
    with app.test_request_context():
        assert render("{{ m.stars(none) }}").strip() == ""
