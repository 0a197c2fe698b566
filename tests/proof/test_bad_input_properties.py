"""Property-based bad input (issue #7): over 10,000 generated examples with a fixed seed.

Generated text (any Unicode, control characters, unpaired surrogates sent as raw bytes, numbers,
dates and the sweep's own payloads) goes into the registration form's sections, the risk form and
the lists' search boxes and filters, with the checks of the sweep (tests/proof/sweep.py): no 500
and nothing logged at ERROR, no row changed by a rejected input, nothing unescaped.

Most examples call the page's view straight from a request (RequestFactory), behind the
middleware that refuses unsafe input, and draw every tenth page; the test client, with the whole
middleware stack, takes the rest. Both raise or answer 500 on the same faults.
"""

import logging
from datetime import date
from functools import partial

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from partnerships_site.middleware import RejectUnsafeInputMiddleware
from register.sections import SECTIONS
from tests.proof.payloads import PAYLOADS, form_body
from tests.proof.sweep import ErrorLog, Sweep, build_world, logical_fields, main_form, with_value
from tests.proof.test_bad_input import NOT_FIELDS, RISK_PARAMS, date_overrides

pytestmark = [pytest.mark.proof, pytest.mark.django_db]

SEED = 20261126
SECTION_SLUGS = [section.slug for section in SECTIONS]
SECTION_EXAMPLES = 300  # x 10 sections
RISK_EXAMPLES = 500  # x adding and changing
LIST_EXAMPLES = {"register": 2500, "risks": 2000, "reviews": 1000}
CLIENT_EXAMPLES = 250  # x 2, through the whole middleware stack

TEXT = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(categories=["Cc", "Cs", "Cf", "Zs", "Zl", "Zp", "Mn"]), max_size=30),
    st.sampled_from(PAYLOADS),
    st.from_regex(r"[£-]?\d{1,25}([.,]\d{0,5})?([eE]-?\d{1,4})?", fullmatch=True),
    st.builds(
        "{}/{}/{}".format,
        st.integers(-5, 99),
        st.integers(-5, 99),
        st.integers(-10, 100_000),
    ),
    st.builds("{}-{}".format, st.integers(-2, 9), st.integers(-2, 9)),
)

PROPERTY_SETTINGS = {
    "database": None,
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    errors = ErrorLog()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        yield Sweep(django_capture_on_commit_callbacks, errors, count_writes=True)
    finally:
        root.removeHandler(errors)


@pytest.fixture
def world(db, settings):
    settings.AXES_ENABLED = False
    return build_world()


class Direct:
    """Calls a page's view with a request made by RequestFactory, behind RejectUnsafeInput."""

    def __init__(self, user):
        self.user = user
        self.factory = RequestFactory()
        self.calls = 0

    def __call__(self, method, url, pairs, *, render):
        body = form_body(pairs)
        if method == "GET":
            request = self.factory.get(f"{url}?{body}")
        else:
            request = self.factory.post(url, body, content_type="application/x-www-form-urlencoded")
        request.user = self.user
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        match = resolve(url)

        def view(request):
            return match.func(request, *match.args, **match.kwargs)

        response = RejectUnsafeInputMiddleware(view)(request)
        if render and hasattr(response, "render"):
            response.render()
        return response


def form_of(world, user, url, overrides=None):
    response = world.clients[user].get(url)
    assert response.status_code == 200, url
    form = main_form(response.content.decode())
    pairs = form["pairs"]
    for name, value in (overrides or {}).items():
        pairs = with_value(pairs, name, value)
    return pairs, [name for name in logical_fields(form["names"]) if name not in NOT_FIELDS]


def fresh_version(pairs, url, world, user):
    """The form with the version of the record as it is now (an accepted example moved it on)."""
    current, _ = form_of(world, user, url)
    versions = {k: v for k, v in current if k in {"version", "expected_version"}}
    return [(k, versions.get(k, v)) for k, v in pairs]


def example_pairs(data, pairs, fields):
    """Generated values in one field, in a few fields, or in every field."""
    mode = data.draw(st.sampled_from(["one", "some", "all"]), label="mode")
    if mode == "one":
        chosen = [data.draw(st.sampled_from(fields), label="field")]
    elif mode == "some":
        chosen = data.draw(st.lists(st.sampled_from(fields), min_size=2, max_size=5), label="f")
    else:
        chosen = fields
    for turn, name in enumerate(chosen):
        pairs = with_value(pairs, name, data.draw(TEXT, label=name), turn=turn)
    return pairs


def run_examples(max_examples, strategy, body):
    """Run body(value) on max_examples values drawn from strategy, with the fixed seed."""

    @seed(SEED)
    @settings(max_examples=max_examples, **PROPERTY_SETTINGS)
    @given(strategy)
    def examples(value):
        body(value)

    examples()


def assert_clean(sweep):
    report = sweep.report()
    assert not report, report


def run_form_examples(data, *, state, sweep, world, label):
    pairs = example_pairs(data, state["pairs"], state["fields"])
    state["n"] += 1
    render = state["n"] % 10 == 0
    response = sweep.checked(
        "POST",
        lambda: state["direct"]("POST", state["url"], pairs, render=render),
        label=f"{label} {pairs!r:.200}",
        render=render,
    )
    if response is not None and response.status_code in (301, 302, 303):
        state["pairs"] = fresh_version(state["pairs"], state["url"], world, state["user"])
        sweep.forget_snapshot()


def test_generated_input_to_every_registration_section(world, sweep):
    draft = world.partnerships["draft"]
    direct = Direct(world.users["officer"])
    for slug in SECTION_SLUGS:
        url = reverse("register:partnership_section", args=[draft.reference, slug])
        pairs, fields = form_of(world, "officer", url)
        state = {"url": url, "user": "officer", "pairs": pairs, "fields": fields}
        state.update(direct=direct, n=0)
        run_examples(
            SECTION_EXAMPLES,
            st.data(),
            partial(run_form_examples, state=state, sweep=sweep, world=world, label=slug),
        )
        assert state["n"] >= SECTION_EXAMPLES, slug
        sweep.forget_snapshot()
    assert_clean(sweep)


def test_generated_input_to_the_risk_form(world, sweep):
    active, risk = world.partnerships["active"], world.risks["risk"]
    adding = {
        "title": "Partner withdraws",
        "category": "financial",
        "cause": "Budgets.",
        "event": "Withdrawal.",
        "impact": "Service cut.",
        "owner": str(world.other["owner"].pk),
        **date_overrides("raised_on", date(2026, 4, 1)),
        "inherent": "4-5",
        "actual": "3-4",
        "residual": "2-3",
    }
    forms = [
        ("add", reverse("risks:risk_create", args=[active.reference]), adding),
        ("change", reverse("risks:risk_update", args=[active.reference, risk.reference]), {}),
    ]
    direct = Direct(world.users["sponsor"])
    for which, url, overrides in forms:
        pairs, fields = form_of(world, "sponsor", url, overrides)
        state = {"url": url, "user": "sponsor", "pairs": pairs, "fields": fields}
        state.update(direct=direct, n=0)
        run_examples(
            RISK_EXAMPLES,
            st.data(),
            partial(run_form_examples, state=state, sweep=sweep, world=world, label=which),
        )
        assert state["n"] >= RISK_EXAMPLES, which
        sweep.forget_snapshot()
    assert_clean(sweep)


LISTS = {
    "register": (
        "officer",
        "register:partnership_list",
        ["q", "status", "directorate", "council_role", "significant", "lead", "priority"]
        + ["review_due", "sort", "page"],
    ),
    "risks": ("officer", "risks:risk_council_list", RISK_PARAMS),
    "reviews": ("sponsor", "reviews:review_due_list", ["scope", "directorate", "page"]),
}


def search_example(query, *, sweep, direct, url, counter):
    counter["n"] += 1
    render = counter["n"] % 10 == 0
    sweep.checked(
        "GET",
        lambda: direct("GET", url, query, render=render),
        label=f"{url} {query!r:.200}",
        render=render,
    )


def test_generated_search_and_filters_on_the_lists(world, sweep):
    for which, (user, name, params) in LISTS.items():
        url = reverse(name)
        direct = Direct(world.users[user])
        counter = {"n": 0}

        run_examples(
            LIST_EXAMPLES[which],
            st.lists(st.tuples(st.sampled_from(params), TEXT), min_size=1, max_size=6),
            partial(search_example, sweep=sweep, direct=direct, url=url, counter=counter),
        )
        assert counter["n"] >= LIST_EXAMPLES[which], which
    assert_clean(sweep)


def test_generated_input_through_the_whole_middleware_stack(world, sweep):
    """The same kind of input through the test client: sessions, CSRF, CSP, history and all."""
    client = world.clients["officer"]
    search = reverse("register:partnership_list")
    draft = world.partnerships["draft"]
    url = reverse("register:partnership_section", args=[draft.reference, "about_you"])
    pairs, fields = form_of(world, "officer", url)
    state = {"pairs": pairs, "n": 0}

    @seed(SEED)
    @settings(max_examples=CLIENT_EXAMPLES, **PROPERTY_SETTINGS)
    @given(st.data())
    def examples(data):
        state["n"] += 1
        query = data.draw(st.lists(st.tuples(st.just("q"), TEXT), min_size=1, max_size=2))
        sweep.get(client, search, query, label=f"client search {query!r:.200}")
        posted = example_pairs(data, state["pairs"], fields)
        response = sweep.post(client, url, posted, label=f"client about_you {posted!r:.200}")
        if response is not None and response.status_code == 302:
            state["pairs"] = fresh_version(state["pairs"], url, world, "officer")
            sweep.forget_snapshot()

    examples()
    assert state["n"] >= CLIENT_EXAMPLES
    assert_clean(sweep)


def test_there_are_at_least_ten_thousand_generated_examples():
    total = (
        SECTION_EXAMPLES * len(SECTION_SLUGS)
        + RISK_EXAMPLES * 2
        + sum(LIST_EXAMPLES.values())
        + CLIENT_EXAMPLES * 2
    )
    assert total >= 10_000, total
