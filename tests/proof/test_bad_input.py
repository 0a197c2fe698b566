"""Bad input over every form, admin form, list filter and search box (issue #7).

More than 1,000 distinct bad inputs (tests/proof/payloads.py), swept so that every payload is sent
at least once and every family of them reaches every field: each form is posted once per payload
of a sample with that payload in all its fields at once, and then field by field. For each request
(tests/proof/sweep.py): no 500 and nothing logged at ERROR, no row changed by a rejected input,
and no payload's markup unescaped in any page, email or download, nor a formula in a download.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date

import markupsafe
import pytest
from django.contrib import admin
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from register.models import Partnership
from register.sections import SECTIONS
from reviews.models import ExitAction
from risks.models import Risk
from tests.proof.payloads import FAMILIES, PAYLOADS, sample
from tests.proof.sweep import (
    ErrorLog,
    Sweep,
    build_world,
    forged_ids,
    logical_fields,
    main_form,
    reset_partnership,
    with_value,
)


def escaped_in(text, content):
    """Whether a page shows text escaped, as Django's templates escape it (&#x27;, &quot;) or as
    its Jinja2 partials do (&#39;, &#34;)."""
    return escape(text) in content or str(markupsafe.escape(text)) in content


pytestmark = [pytest.mark.proof, pytest.mark.django_db]

# Buttons and the CSRF token are not fields to fill in.
NOT_FIELDS = {"csrfmiddlewaretoken", "action", "add", "_save", "_continue", "_addanother"}

# Fields that hold an id or a version: they are also sent another directorate's ids.
ID_LIKE = re.compile(
    r"(^|-)(id|partnership|risk|strategy|version|expected_version|creation_token|directorate|"
    r"owner|sponsoring_officer|monitoring_officer|corporate_priorities|answer_\d+)$"
)

# Columns no form outside admin may set, whatever is posted.
FORGED_KEYS = [
    "status",
    "reference",
    "author",
    "author_id",
    "creation_token",
    "is_significant",
    "approved_on",
    "closed_on",
    "submitted_at",
    "partnership",
    "risk",
    "recorded_by",
    "number",
    "pk",
]


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    errors = ErrorLog()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        yield Sweep(django_capture_on_commit_callbacks, errors)
    finally:
        root.removeHandler(errors)


@pytest.fixture
def world(db, settings):
    settings.AXES_ENABLED = False  # sign-in is swept many times from one address
    return build_world()


# The forms of the product ---------------------------------------------------------------------


@dataclass
class FormTarget:
    """A form to sweep: who posts it where, what makes its base post valid, and how to undo an
    accepted post that would stop the next one being checked."""

    name: str
    user: str
    url: str
    overrides: dict = field(default_factory=dict)
    reset: object = None
    duplicates: bool = True
    forged_keys: bool = True
    base: list | None = None

    def base_pairs(self, world, sweep):
        if self.base is None:
            response = world.clients[self.user].get(self.url)
            assert response.status_code == 200, (
                f"{self.name}: GET {self.url} {response.status_code}"
            )
            form = main_form(response.content.decode())
            assert form is not None, f"{self.name}: no form on {self.url}"
            pairs = form["pairs"]
            for name, value in self.overrides.items():
                pairs = with_value(pairs, name, value)
            self.base = pairs
            self.fields = [name for name in logical_fields(form["names"]) if name not in NOT_FIELDS]
            sweep.forget_snapshot()  # a form page may add rows it needs (checklist answers)
        return list(self.base)

    def after(self, response, world, sweep):
        """After a post: an accepted one changes the record, so the next post reads it again."""
        if response is not None and response.status_code in (301, 302, 303):
            self.base = None
            if self.reset is not None:
                self.reset()
                sweep.forget_snapshot()


def day(value):
    return {"0": str(value.day), "1": str(value.month), "2": str(value.year)}


def date_overrides(name, value):
    return {f"{name}_{i}": part for i, part in day(value).items()}


def app_form_targets(world):
    p = world.partnerships
    draft, active = p["draft"], p["active"]
    risk, closable = world.risks["risk"], world.risks["closable"]
    action, review = world.other["action"], world.other["review"]
    exit_action, owner = world.other["exit_action"], world.other["owner"]
    today = timezone.localdate()
    targets = [
        FormTarget(
            "start a registration",
            "officer",
            reverse("register:partnership_create"),
            {
                "name": "New Partnership",
            },
        ),
    ]
    for slug in (section.slug for section in SECTIONS):
        targets.append(
            FormTarget(
                f"section {slug}",
                "officer",
                reverse("register:partnership_section", args=[draft.reference, slug]),
            )
        )
    risk_fields = {
        "title": "Partner withdraws",
        "category": "financial",
        "cause": "Budgets.",
        "event": "Withdrawal.",
        "impact": "Service cut.",
        "owner": str(owner.pk),
        **date_overrides("raised_on", date(2026, 4, 1)),
        "inherent": "4-5",
        "actual": "3-4",
        "residual": "2-3",
    }
    targets += [
        FormTarget(
            "check and submit",
            "officer",
            reverse("register:partnership_check", args=[p["incomplete"].reference]),
        ),
        FormTarget(
            "decision",
            "democratic",
            reverse("register:partnership_decide", args=[p["submitted"].reference]),
            {
                "decision": "returned",
                "decision_body": "delegated",
                **date_overrides("decided_on", today),
                "reason": "More detail needed.",
            },
            reset=lambda: reset_partnership(p["submitted"], status=Partnership.Status.SUBMITTED),
        ),
        FormTarget("preferences", "officer", reverse("register:preferences")),
        FormTarget(
            "password change",
            "officer",
            reverse("password_change"),
            {
                "old_password": "not-the-password",
                "new_password1": "a-new-long-password-5678",
                "new_password2": "a-new-long-password-5678",
            },
            duplicates=False,
        ),
        FormTarget(
            "sign in",
            "anonymous",
            reverse("login"),
            {"username": "officer", "password": "not-the-password"},
            duplicates=False,
        ),
        FormTarget(
            "add a risk",
            "sponsor",
            reverse("risks:risk_create", args=[active.reference]),
            risk_fields,
        ),
        FormTarget(
            "change a risk",
            "sponsor",
            reverse("risks:risk_update", args=[active.reference, risk.reference]),
        ),
        FormTarget(
            "close a risk",
            "sponsor",
            reverse("risks:risk_close", args=[active.reference, closable.reference]),
            {"closed_reason": "The event has passed."},
            reset=lambda: Risk.objects.filter(pk=closable.pk).update(
                status=Risk.Status.OPEN, closed_on=None, closed_reason=""
            ),
        ),
        FormTarget(
            "review a risk",
            "sponsor",
            reverse("risks:riskreview_create", args=[active.reference, risk.reference]),
            {
                "actual": "3-4",
                "inherent": "4-5",
                "residual": "2-3",
                **date_overrides("reviewed_on", today),
            },
        ),
        FormTarget(
            "escalate a risk",
            "sponsor",
            reverse("risks:escalation_create", args=[active.reference, risk.reference]),
            {"board_meeting": "Board, 1 November", "board_response": "accepted"},
        ),
        FormTarget(
            "action progress",
            "sponsor",
            reverse("risks:action_update", args=[active.reference, risk.reference, action.pk]),
        ),
        FormTarget(
            "annual review",
            "sponsor",
            reverse("reviews:review_update", args=[p["reviewing"].reference, review.pk]),
            {"outcome": "continue", "agreed_by": "Cabinet"},
        ),
        FormTarget(
            "next review date",
            "democratic",
            reverse("reviews:next_review_date_update", args=[active.reference]),
            {**date_overrides("next_review_due", date(2027, 6, 1)), "reason": "Board timing."},
        ),
        FormTarget(
            "exit strategy",
            "sponsor",
            reverse("reviews:exit_strategy_update", args=[p["exiting"].reference]),
            {"exit_type": "planned"},
        ),
        # The exit cannot complete while an exit action is open, so every post is refused.
        FormTarget(
            "complete the exit",
            "sponsor",
            reverse("reviews:exit_strategy_complete", args=[p["exiting"].reference]),
        ),
        FormTarget(
            "exit action progress",
            "sponsor",
            reverse("reviews:exit_action_update", args=[p["exiting"].reference, exit_action.pk]),
            {"status": "in_progress"},
            reset=lambda: ExitAction.objects.filter(pk=exit_action.pk).update(
                status=ExitAction.Status.IN_PROGRESS, completed_on=None
            ),
        ),
    ]
    return targets


def admin_form_targets(world):
    """Every admin add form, and the change form of one record of each model."""
    client = world.clients["democratic"]
    targets = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls = []
        request = RequestFactory().get("/")
        request.user = world.users["democratic"]
        if model_admin.has_add_permission(request):
            urls.append(("add", reverse("admin:{}_{}_add".format(*info))))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None and model_admin.has_change_permission(request, obj):
            urls.append(("change", reverse("admin:{}_{}_change".format(*info), args=[obj.pk])))
        for kind, url in urls:
            response = client.get(url)
            if response.status_code != 200 or main_form(response.content.decode()) is None:
                continue
            targets.append(FormTarget(f"admin {kind} {info[1]}", "democratic", url))
    return targets


def run_form_target(
    target, world, sweep, *, per_family, field_turn, extra_values=(), one_by_one=None
):
    """Sweep one form: a sample of each family in every field at once, then field by field."""
    client = world.clients[target.user]
    pairs = target.base_pairs(world, sweep)
    # 1. Each family's sample in every field at once.
    for payload in sample(per_family):
        pairs = target.base_pairs(world, sweep)
        for name in target.fields:
            pairs = with_value(pairs, name, payload)
        response = sweep.post(client, target.url, pairs, label=f"{target.name} all={payload!r:.60}")
        target.after(response, world, sweep)
    # 2. Field by field, each with payloads from a different family in turn.
    families = list(FAMILIES)
    values = list(extra_values)
    names = [name for name in target.fields if one_by_one is None or one_by_one(name)]
    for index, name in enumerate(names):
        chosen = []
        for turn in range(field_turn):
            family = FAMILIES[families[(index * field_turn + turn) % len(families)]]
            chosen.append(family[(index + turn) % len(family)])
        if values and ID_LIKE.search(name):
            chosen.append(values[index % len(values)])
        for turn, payload in enumerate(chosen):
            pairs = with_value(target.base_pairs(world, sweep), name, payload, turn=turn)
            response = sweep.post(
                client, target.url, pairs, label=f"{target.name} {name}={payload!r:.60}"
            )
            target.after(response, world, sweep)
        # 3. The same field twice in one body, the bad value first and then last.
        if target.duplicates and index % 6 == 0:
            for order in ("first", "last"):
                pairs = with_value(
                    target.base_pairs(world, sweep), name, chosen[0], duplicate=order
                )
                response = sweep.post(
                    client, target.url, pairs, label=f"{target.name} {name} twice ({order})"
                )
                target.after(response, world, sweep)


def protected_columns():
    """What no form outside admin may change by a forged field, for every partnership and risk."""
    partnerships = Partnership.objects.values_list(
        "pk", "reference", "author_id", "creation_token", "approved_on", "closed_on"
    )
    risks = Risk.objects.values_list("pk", "partnership_id", "reference")
    return {("partnership", row[0]): row for row in partnerships} | {
        ("risk", row[0]): row for row in risks
    }


def run_forged_keys(target, world, sweep):
    """Post the form as it is, plus fields it does not have, set to other records' values."""
    client = world.clients[target.user]
    values = forged_ids(world) + FAMILIES["forged"]
    for turn in range(2):
        before = protected_columns()
        pairs = target.base_pairs(world, sweep)
        pairs += [(key, values[(turn + i) % len(values)]) for i, key in enumerate(FORGED_KEYS)]
        response = sweep.post(client, target.url, pairs, label=f"{target.name} forged keys {turn}")
        target.after(response, world, sweep)
        after = protected_columns()
        if any(after[key] != row for key, row in before.items()):
            sweep.fail(target.name, f"forged keys (turn {turn}) changed a protected column")


def assert_clean(sweep):
    report = sweep.report()
    assert not report, report


def test_there_are_more_than_a_thousand_distinct_bad_inputs():
    assert len(set(PAYLOADS)) >= 1000
    assert all(len(values) >= 10 for values in FAMILIES.values())


def test_app_forms_refuse_bad_input_cleanly(world, sweep):
    targets = app_form_targets(world)
    extra = forged_ids(world)
    for target in targets:
        run_form_target(target, world, sweep, per_family=1, field_turn=1, extra_values=extra)
        if target.forged_keys:
            run_forged_keys(target, world, sweep)
    # Nothing a forged field could do moved a record to another status or directorate.
    assert Partnership.objects.get(pk=world.partnerships["draft"].pk).status == "draft"
    assert_clean(sweep)
    assert sweep.accepted > 50, "too few accepted inputs: the base posts are not valid"


def test_admin_forms_refuse_bad_input_cleanly(world, sweep):
    targets = admin_form_targets(world)
    assert len(targets) >= 15, [t.name for t in targets]
    for target in targets:
        target.forged_keys = False
        # Field by field: the model's own fields (its inlines' rows had every family at once).
        run_form_target(
            target,
            world,
            sweep,
            per_family=1,
            field_turn=1,
            one_by_one=lambda name: "-" not in name,
        )
    assert_clean(sweep)


def test_every_payload_is_sent_at_least_once(world, sweep):
    """Every payload in a text field of the evaluation, seven at a time, one to a field: refused,
    or saved and shown escaped on the partnership's page."""
    client = world.clients["officer"]
    draft = world.partnerships["draft"]
    target = FormTarget(
        "evaluation",
        "officer",
        reverse("register:partnership_section", args=[draft.reference, "evaluation"]),
    )
    target.base_pairs(world, sweep)
    fields = [name for name in target.fields if name.startswith("evaluation_")]
    fields.append("benefits_notes")
    detail = reverse("register:partnership_detail", args=[draft.reference])
    sent = set()
    for start in range(0, len(PAYLOADS), len(fields)):
        chunk = PAYLOADS[start : start + len(fields)]
        pairs = target.base_pairs(world, sweep)
        for name, payload in zip(fields, chunk, strict=False):
            pairs = with_value(pairs, name, payload)
        label = f"evaluation payloads {start}-{start + len(chunk) - 1}"
        response = sweep.post(client, target.url, pairs, label=label)
        target.after(response, world, sweep)
        sent.update(chunk)
        if response is not None and response.status_code == 302:
            page = sweep.get(client, detail, label=f"detail after {label}")
            saved = Partnership.objects.values(*fields).get(pk=draft.pk)
            content = page.content.decode() if page is not None else ""
            for name, value in saved.items():
                for line in value.splitlines():
                    if "<" in line and not escaped_in(line.strip(), content):
                        sweep.fail(label, f"{name} is not shown escaped: {line[:60]!r}")
    assert sent == set(PAYLOADS)
    assert_clean(sweep)


# Lists, filters, search boxes and downloads -----------------------------------------------------

REGISTER_PARAMS = [
    "q",
    "status",
    "directorate",
    "council_role",
    "significant",
    "lead",
    "priority",
    "review_due",
    "sort",
    "page",
]
RISK_PARAMS = [
    "score",
    "band",
    "likelihood",
    "impact",
    "partnership",
    "directorate",
    "owner",
    "category",
    "escalated",
    "review_overdue",
    "action_overdue",
    "status",
    "page",
]

# The risk update's form: "date" says the form was sent, its boxes are date_0, date_1, date_2.
RISK_UPDATE_PARAMS = ["date_0", "date_1", "date_2"]


def list_targets(world):
    """(user, url, parameters) of every list, search box, report and download with a query."""
    active = world.partnerships["active"].reference
    risk = world.risks["risk"].reference
    return [
        ("officer", reverse("register:partnership_list"), REGISTER_PARAMS),
        ("democratic", reverse("register:partnership_list"), REGISTER_PARAMS),
        ("officer", reverse("register:partnership_export", args=["csv"]), REGISTER_PARAMS),
        ("officer", reverse("register:partnership_export", args=["xlsx"]), ["q", "sort"]),
        ("officer", reverse("risks:risk_council_list"), RISK_PARAMS),
        ("officer", reverse("risks:risk_council_export", args=["csv"]), RISK_PARAMS),
        ("officer", reverse("risks:risk_council_export", args=["xlsx"]), ["band", "owner"]),
        ("officer", reverse("risks:risk_council_heat_map"), ["score"]),
        ("officer", reverse("risks:risk_heat_map", args=[active]), ["score"]),
        ("officer", reverse("risks:risk_list", args=[active]), ["page"]),
        ("officer", reverse("register:partnership_history", args=[active]), ["page"]),
        ("officer", reverse("risks:risk_history", args=[active, risk]), ["page"]),
        ("officer", reverse("risks:risk_board_paper", args=[active]), ["score"]),
        ("officer", reverse("risks:risk_board_paper_export", args=[active, "csv"]), ["page"]),
        ("sponsor", reverse("reviews:review_due_list"), ["scope", "directorate", "page"]),
        ("sponsor", reverse("reviews:exit_action_list"), ["page"]),
        ("anonymous", reverse("register:public_register"), ["page", "q", "show"]),
        ("anonymous", reverse("register:public_register_csv"), ["page"]),
        ("democratic", reverse("register:overview"), ["page"]),
        ("democratic", reverse("register:report_annual"), ["year"]),
        ("democratic", reverse("register:report_annual_docx"), ["year"]),
        ("democratic", reverse("register:report_risk_update"), RISK_UPDATE_PARAMS),
        ("democratic", reverse("register:report_risk_update_docx"), RISK_UPDATE_PARAMS),
        ("officer", reverse("home"), ["page"]),
    ]


def admin_list_targets(world):
    """Every admin changelist with its search box, sorting, paging and each filter's parameters."""
    user = world.users["democratic"]
    targets = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        url = reverse("admin:{}_{}_changelist".format(*info))
        request = RequestFactory().get(url)
        request.user = user
        if not model_admin.has_view_or_change_permission(request):
            continue
        changelist = model_admin.get_changelist_instance(request)
        params = ["q", "o", "p", "all"]
        for spec in changelist.filter_specs:
            params += spec.expected_parameters()
        if model_admin.date_hierarchy:
            params += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
        targets.append(("democratic", url, list(dict.fromkeys(params))))
    autocomplete = reverse("admin:autocomplete")
    targets.append(
        (
            "democratic",
            autocomplete
            + "?app_label=register&model_name=partnership&field_name=sponsoring_officer",
            ["term"],
        )
    )
    return targets


def run_list_target(user, url, params, world, sweep, payloads):
    """Each payload in every parameter at once, then one parameter at a time, then repeated."""
    client = world.clients[user]
    base, pairs_base = url, []
    if "?" in url:
        base, query = url.split("?", 1)
        pairs_base = [tuple(part.split("=", 1)) for part in query.split("&")]
    for payload in payloads:
        pairs = pairs_base + [(name, payload) for name in params]
        sweep.get(client, base, pairs, label=f"{url} all={payload!r:.60}")
    for index, name in enumerate(params):
        payload = payloads[index % len(payloads)]
        sweep.get(
            client, base, [*pairs_base, (name, payload)], label=f"{url} {name}={payload!r:.60}"
        )
    name = params[0]
    sweep.get(client, base, [*pairs_base, (name, payloads[0]), (name, "1")], label=f"{url} twice")
    sweep.get(client, base, [*pairs_base, ("__class__", payloads[-1])], label=f"{url} unknown")


def test_lists_filters_and_downloads_refuse_bad_input_cleanly(world, sweep):
    payloads = sample(1) + FAMILIES["ids_pages"][:8]
    for user, url, params in list_targets(world):
        run_list_target(user, url, params, world, sweep, payloads)
    assert_clean(sweep)


def test_admin_changelists_refuse_bad_input_cleanly(world, sweep):
    payloads = sample(1, offset=1)
    targets = admin_list_targets(world)
    assert len(targets) >= 15
    for user, url, params in targets:
        run_list_target(user, url, params, world, sweep, payloads)
    assert_clean(sweep)


def test_a_line_break_in_a_name_does_not_break_the_email_it_appears_in(world, sweep):
    """A name with a line break is kept, and the email naming it has a one-line subject."""
    client = world.clients["officer"]
    draft = world.partnerships["draft"]
    url = reverse("register:partnership_section", args=[draft.reference, "partnership"])
    target = FormTarget("name", "officer", url)
    sponsors = [world.users["democratic"], world.users["sponsor"]] * 2
    names = ["Line one\nline two", "Carriage\rreturn", "Tab\tand\u2028separator", "Last\n"]
    for name, sponsor in zip(names, sponsors, strict=True):
        pairs = with_value(target.base_pairs(world, sweep), "name", name)
        pairs = with_value(pairs, "sponsoring_officer", str(sponsor.pk))
        response = sweep.post(client, url, pairs, label=f"name={name!r}, sponsor {sponsor}")
        target.after(response, world, sweep)
        assert response is not None and response.status_code == 302
    assert_clean(sweep)
    assert len(mail.outbox) >= 2, "no email was sent to the new sponsoring officers"


def test_accepted_payloads_are_escaped_wherever_they_appear(world, sweep):
    """Markup and formulas saved as a live partnership's name, purpose and a risk's title are
    shown escaped on every page, in admin, the public register and every download."""
    client = world.clients["democratic"]
    active = world.partnerships["active"]
    risk = world.risks["risk"]
    section = FormTarget(
        "live name",
        "democratic",
        reverse("register:partnership_section", args=[active.reference, "partnership"]),
    )
    risk_form = FormTarget(
        "risk title",
        "democratic",
        reverse("risks:risk_update", args=[active.reference, risk.reference]),
    )
    pages = [
        ("democratic", reverse("register:partnership_detail", args=[active.reference])),
        ("democratic", reverse("register:partnership_print", args=[active.reference])),
        ("democratic", reverse("register:partnership_history", args=[active.reference])),
        ("democratic", reverse("register:partnership_list")),
        ("democratic", reverse("register:partnership_export", args=["csv"])),
        ("democratic", reverse("register:partnership_export", args=["xlsx"])),
        ("anonymous", reverse("register:public_register")),
        ("anonymous", reverse("register:public_register_csv")),
        ("democratic", reverse("admin:register_partnership_changelist")),
        ("democratic", reverse("admin:register_partnership_change", args=[active.pk])),
        ("democratic", reverse("risks:risk_detail", args=[active.reference, risk.reference])),
        ("democratic", reverse("risks:risk_history", args=[active.reference, risk.reference])),
        ("democratic", reverse("risks:risk_list", args=[active.reference])),
        ("democratic", reverse("risks:risk_council_list")),
        ("democratic", reverse("risks:risk_council_export", args=["csv"])),
        ("democratic", reverse("risks:risk_council_export", args=["xlsx"])),
        ("democratic", reverse("risks:risk_board_paper", args=[active.reference])),
        ("democratic", reverse("risks:risk_board_paper_export", args=[active.reference, "xlsx"])),
        ("democratic", reverse("admin:risks_risk_change", args=[risk.pk])),
        ("democratic", reverse("register:report_risk_update")),
    ]
    payloads = sample(3, families={"markup", "template", "formula"})
    for payload in payloads:
        for target, name in [(section, "name"), (section, "purpose"), (risk_form, "title")]:
            pairs = with_value(target.base_pairs(world, sweep), name, payload)
            response = sweep.post(client, target.url, pairs, label=f"{name}={payload!r:.60}")
            target.after(response, world, sweep)
            assert response is not None and response.status_code == 302, (name, payload)
        for user, url in pages:
            page = sweep.get(world.clients[user], url, label=f"{url} with {payload!r:.60}")
            assert page is not None and page.status_code == 200, url
        if "<" in payload:
            detail = world.clients["democratic"].get(pages[0][1]).content.decode()
            assert escaped_in(payload.strip(), detail) or escaped_in(
                " ".join(payload.split()), detail
            ), f"{payload!r} is not shown escaped on the partnership's page"
    assert_clean(sweep)


def test_admin_shows_an_error_for_an_autocomplete_id_that_is_not_a_number(world, sweep):
    """Django's autocomplete widget raised redrawing a malformed id: now the form says why."""
    client = world.clients["democratic"]
    url = reverse("admin:register_partnership_add")
    target = FormTarget("admin add partnership", "democratic", url)
    for value in ["abc", "1e9", "<script>alert('xss-1')</script>", "-1-3"]:
        pairs = with_value(target.base_pairs(world, sweep), "sponsoring_officer", value)
        response = sweep.post(client, url, pairs, label=f"sponsoring_officer={value!r}")
        assert response is not None and response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert_clean(sweep)
