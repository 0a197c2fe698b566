"""The Jinja2 partials (partnerships_site/jinja.py): escaped, strict, in the council's formats."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import jinja2
import pytest
from django.template import Context, Template, engines
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from partnerships_site.jinja import render
from register.models import Partnership
from tests.factories import PartnershipFactory, RiskFactory, active_partnership

PAYLOAD = "<script>alert('x')</script> & \"Friends\""
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;Friends&#34;"


def row(**fields):
    """A register row as the page reads it, without a database."""
    values = {
        "reference": "P-2026-001",
        "name": "Community safety",
        "status_colour": "green",
        "directorate_name": None,
        "lead_organisation_name": "",
        "is_significant": True,
        "start_date": date(2026, 11, 26),
        "annual_commitment": Decimal("1234.5"),
        "next_review_due": None,
        "get_absolute_url": lambda: "/partnerships/P-2026-001/",
        "get_status_display": lambda: "Active",
        **fields,
    }
    return SimpleNamespace(**values)


def test_a_partial_escapes_what_it_draws_and_writes_the_councils_formats():
    html = render("register/includes/partnership_rows.jinja", partnerships=[row(name=PAYLOAD)])

    assert ESCAPED in html
    assert "<script>" not in html
    assert "26 November 2026" in html
    assert "£1,234.50" in html
    assert "Not given" in html  # no directorate, no lead organisation
    assert "Not set" in html  # no review date


def test_a_partial_shows_date_times_in_london_time():
    env = engines["jinja2"].env
    summer = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 June in London (BST)
    assert env.from_string("{{ when|date('DATETIME_FORMAT') }}").render(when=summer) == (
        "2 June 2026, 00:30"
    )


def test_a_partial_shows_date_times_in_the_time_zone_current_when_it_is_drawn():
    winter = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    entry = SimpleNamespace(when=winter, what="Changed", record="", who="Ann Officer", changes=[])
    for zone, shown, iso in [
        ("Europe/London", "26 November 2026, 23:30", "2026-11-26T23:30:00+00:00"),
        ("Asia/Tokyo", "27 November 2026, 08:30", "2026-11-27T08:30:00+09:00"),  # nine ahead
    ]:
        with timezone.override(zone):
            html = render("includes/history.jinja", history=[entry])
        assert f'<time datetime="{iso}">{shown}</time>' in html
        assert f"on {shown} by Ann Officer" in html


def test_a_partial_refuses_a_variable_it_was_not_given():
    with pytest.raises(jinja2.UndefinedError):
        render("register/includes/partnership_rows.jinja")


def test_the_jinja_tag_puts_a_partial_in_a_django_page_unescaped_once():
    template = Template('{% jinja "register/includes/partnership_rows.jinja" partnerships=rows %}')
    html = template.render(Context({"rows": [row(name=PAYLOAD)]}))

    assert '<tr class="govuk-table__row">' in html
    assert ESCAPED in html  # escaped by Jinja2, and not a second time by Django


@pytest.mark.django_db
def test_pages_drawn_with_partials_show_a_payload_as_text(democratic_client):
    partnership = PartnershipFactory(name=PAYLOAD, status=Partnership.Status.ACTIVE)
    RiskFactory(partnership=partnership, title=PAYLOAD)

    for page in (
        reverse("register:partnership_list"),
        reverse("risks:risk_list", args=[partnership.reference]),
        reverse("risks:risk_council_list"),
    ):
        html = democratic_client.get(page).content.decode()
        assert ESCAPED in html, page
        assert "<script>alert" not in html, page


def test_every_partial_compiles():
    env = engines["jinja2"].env
    names = env.list_templates(extensions=["jinja"])

    assert len(names) >= 8
    for name in names:
        env.get_template(name)  # raises TemplateSyntaxError for a mistake in any branch


@pytest.mark.django_db
def test_the_partnership_page_calls_the_methods_its_partial_names(democratic_client):
    # Jinja2 calls nothing by itself: a method named without brackets would print as
    # "<bound method ...>" rather than fail.
    partnership = active_partnership()
    RiskFactory(partnership=partnership)

    for page in (
        partnership.get_absolute_url(),
        reverse("register:partnership_history", args=[partnership.reference]),
        reverse("risks:risk_list", args=[partnership.reference]),
        reverse("reviews:partnership_reviews", args=[partnership.reference]),
    ):
        response = democratic_client.get(page)
        assert response.status_code == 200, page
        assert "bound method" not in response.content.decode(), page


@pytest.mark.parametrize(
    "text",
    [
        "One line",
        "Two\nlines",
        "Windows\r\nand old Mac\rline ends\n\n",
        PAYLOAD + "\n" + PAYLOAD,
        "",
        42,
    ],
)
def test_linebreaksbr_escapes_once_as_in_a_django_template(text):
    # Django's filter escapes and marks its result safe; Jinja2 must neither escape it again nor
    # drop the escaping.
    env = engines["jinja2"].env
    drawn = env.from_string("{{ text|linebreaksbr }}").render(text=text)
    djangos = Template("{{ text|linebreaksbr }}").render(Context({"text": text}))

    assert drawn == djangos


def test_linebreaksbr_keeps_safe_html_as_it_is():
    env = engines["jinja2"].env
    safe = mark_safe("<em>kept</em>\nnext")  # noqa: S308 - a constant

    assert env.from_string("{{ text|linebreaksbr }}").render(text=safe) == "<em>kept</em><br>next"
