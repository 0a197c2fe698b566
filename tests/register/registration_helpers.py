"""Helpers for the registration form's tests: fill in a page as a browser would, and read errors."""

import re
from html.parser import HTMLParser

from django.urls import reverse
from django.utils.html import escape


def section_url(partnership, slug):
    return reverse("register:partnership_section", args=[partnership.reference, slug])


class _FormReader(HTMLParser):
    """The values a browser would submit from the page's main form (the one with a version)."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = []
            self.forms.append(self.current)
        if self.current is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind in {"radio", "checkbox"} and "checked" not in attrs:
                return
            self.current.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = [name, None, None]  # name, first option, selected option
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select[1] is None:
                self.select[1] = value
            if "selected" in attrs:
                self.select[2] = value
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None:
            name, first, selected = self.select
            self.current.append((name, selected if selected is not None else first or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.current.append((name, text.removeprefix("\n")))
            self.textarea = None


def form_data(response):
    """The main form's fields as a dict of what a browser would post (last value wins)."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    main = next(
        (form for form in reader.forms if any(n in {"version", "name"} for n, _ in form)),
        reader.forms[-1],
    )
    data = {}
    for name, value in main:
        data[name] = value
    return data


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
    assert f'<a href="#{anchor}">{escaped}</a>' in content, (
        f"{message!r} is not in the error summary linked to #{anchor}: {error_summary(response)}"
    )
    beside = re.compile(
        r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>\s*'
        + re.escape(escaped)
    )
    assert beside.search(content), f"{message!r} is not shown beside its field"
