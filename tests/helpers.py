from datetime import date
from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone


def today() -> date:
    """The council's date (Europe/London) at the moment a test runs.

    Tests call this rather than keep a date from when their module was imported: a run that
    crosses midnight would otherwise set up yesterday's dates against the app's today. Nor is it
    date.today(), which is the machine's (UTC) date: from 23:00 to midnight in British Summer
    Time the two are a day apart.
    """
    return timezone.localdate()


def count_queries(client, url) -> int:
    """How many database queries one GET of url runs (it must answer 200)."""
    # A signed-in session is renewed (written) at most once a minute, on whichever request comes
    # first: renew it now if it is due, so a slow grow() between two counts cannot add it to one.
    client.get(reverse("healthz"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(captured.captured_queries)


def assert_queries_fixed(client, url, grow, *, most):
    """Pin a page's query count: the same before and after grow() adds data, and at most `most`.

    grow is called between the two measurements to add many more rows of whatever the page lists.
    """
    small = count_queries(client, url)
    grow()
    large = count_queries(client, url)
    assert small == large, f"{url} ran {small} queries on small data but {large} on large data"
    assert large <= most, f"{url} ran {large} queries; at most {most} expected"
    return large


def date_boxes(name, value):
    """A date as a GOV.UK date input posts it: day, month and year as name_0, name_1, name_2.

    value is a date, or what a person typed in the three boxes: a (day, month, year) tuple, or
    the three joined by "/" ("31/02/2026", "1//2026", "" for all three blank).
    """
    if isinstance(value, date):
        parts = (str(value.day), str(value.month), str(value.year))
    elif isinstance(value, str):
        parts = tuple(value.split("/")) if value else ("", "", "")
    else:
        parts = tuple(value)
    assert len(parts) == 3, f"{value!r} is not a day, a month and a year"
    return {f"{name}_{index}": part for index, part in enumerate(parts)}


def split_dates(data):
    """Form data with each date in it posted as the three boxes of a date input (date_boxes())."""
    split = {}
    for name, value in data.items():
        if isinstance(value, date):
            split.update(date_boxes(name, value))
        else:
            split[name] = value
    return split


def fill_date(scope, legend, value):
    """Type a date into the GOV.UK date input whose fieldset's legend is `legend`, as a person
    would: day, month and year in their own boxes."""
    group = scope.get_by_role("group", name=legend, exact=True)
    day, month, year = date_boxes("", value).values()
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


class FormReader(HTMLParser):
    """Each form on a page: its method, action and the (name, value) pairs a browser would post."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = {"attrs": attrs, "pairs": [], "names": []}
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            self.current["names"].append(name)
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"radio", "checkbox"} and "checked" not in attrs:
                return
            value = attrs.get("value", "on" if kind == "checkbox" else "")
            self.current["pairs"].append((name, value))
        elif tag == "select" and name:
            self.current["names"].append(name)
            self.select = [name, None, [], "multiple" in attrs]
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select[1] is None:
                self.select[1] = value
            if "selected" in attrs:
                self.select[2].append(value)
        elif tag == "textarea" and name:
            self.current["names"].append(name)
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None and self.current is not None:
            name, first, selected, multiple = self.select
            if selected:
                self.current["pairs"] += [(name, value) for value in selected]
            elif not multiple:
                self.current["pairs"].append((name, first or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            name, text = self.textarea
            self.current["pairs"].append((name, text.removeprefix("\n")))
            self.textarea = None


def choose(scope, label, option):
    """Pick a person in a drop-down that static/js/autocomplete.js turned into an autocomplete.

    As a user does: type the start of the name into the box, then pick the match from the list.
    """
    from playwright.sync_api import expect

    box = scope.get_by_label(label, exact=True)
    box.fill(option[:4])
    scope.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)
