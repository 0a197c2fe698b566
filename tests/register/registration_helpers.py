"""Helpers for the registration form's tests: fill in a page as a browser would, and read errors."""

import re

from django.urls import reverse
from django.utils.html import escape

from tests.helpers import FormReader


def section_url(partnership, slug):
    return reverse("register:partnership_section", args=[partnership.reference, slug])


def form_data(response):
    """The main form's fields as a dict of what a browser would post (last value wins)."""
    reader = FormReader()
    reader.feed(response.content.decode())
    main = next(
        (form for form in reader.forms if {"version", "name"} & set(form["names"])),
        reader.forms[-1],
    )
    return dict(main["pairs"])


def fill(client, url, changes=(), **fields):
    """GET a section page, change some fields, and POST it as a person pressing a button would."""
    data = form_data(client.get(url))
    data.update(dict(changes))
    data.update(fields)
    data.setdefault("action", "continue")
    return client.post(url, {k: v for k, v in data.items() if v is not None})


def error_summary(response):
    """The messages in the page's error summary."""
    content = response.content.decode()
    match = re.search(r'class="govuk-error-summary".*?</ul>', content, re.S)
    if not match:
        return []
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r'<li><a href="[^"]*">(.*?)</a></li>', match.group(0), re.S)
    ]


def assert_field_error(response, anchor, message):
    """The message is in the error summary, linked to the field, and next to the field itself."""
    content = response.content.decode()
    escaped = escape(message)
    # In the summary, a row's errors are named by the row: "Representative 1: ...".
    row = re.search(r"-(\d+)-", anchor)
    label = rf"[A-Z][\w -]* {int(row.group(1)) + 1}: " if row else ""
    linked = re.compile(rf'<a href="#{re.escape(anchor)}">{label}{re.escape(escaped)}</a>')
    assert linked.search(content), (
        f"{message!r} is not in the error summary linked to #{anchor}: {error_summary(response)}"
    )
    beside = re.compile(
        r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>\s*'
        + re.escape(escaped)
    )
    assert beside.search(content), f"{message!r} is not shown beside its field"
