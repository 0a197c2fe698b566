"""Who may open each URL of the register, and what they get: the access matrix as data.

Each entry maps a URL pattern (its full route, as Django's resolver spells it) to the records it is
tried with, and for each record two rows: what a GET gets and what a POST (with an empty body)
gets, for each role in this order:

    anonymous  officer  other_officer  sponsor  democratic_services  approver  read_only

The `officer` wrote directorate A's partnerships and the `sponsor` sponsors them; the
`other_officer` wrote directorate B's (which another sponsor sponsors). See tests/proof/world.py.

    200, 403, 404, 405...  that status code
    L   a redirect to the sign-in page (/sign-in/?next=...)
    A   a redirect to the admin's sign-in page (admin is for staff only)
    S   a redirect to either sign-in page (anonymous visitors to admin)
    R   any other redirect (after a permitted action, or to where the record now lives)

The expectations come from the permission rules (register/rules.py, risks/rules.py,
reviews/rules.py), register/roles.py and the domain: a record a person may not read is a 404 (its
existence is not revealed); one they may read but not act on is a 403; a method a page does not
take is a 405, whoever asks. Records named A... are directorate A's, B... directorate B's; "X under
Y" names X's id under Y's reference, a guessed id.
"""

import re

from django.urls import URLPattern, URLResolver, get_resolver

from tests.proof.world import ROLES

# Shorthands for whole rows ----------------------------------------------------------------------

SIGNED_IN = "L    200  200  200  200  200  200"
NO_POST = "L    405  405  405  405  405  405"
ANYONE = "200  200  200  200  200  200  200"
ANYONE_NO_POST = "405  405  405  405  405  405  405"
NOBODY = "L    403  403  403  403  403  403"
NOT_FOUND = "L    404  404  404  404  404  404"

# A page every signed-in person may read, with nothing to post.
READ_PAGE = {"": (SIGNED_IN, NO_POST)}
# A public page: no sign-in.
PUBLIC_PAGE = {"": (ANYONE, ANYONE_NO_POST)}


def same(row):
    """The same row for GET and POST."""
    return (row, row)


# Reading a partnership's pages follows register.view_partnership: live partnerships are read by
# everyone signed in; drafts and submissions only by those with a hand in them, Democratic
# Services and Read-only users (and submissions by Approvers).
# Columns: anonymous, officer, other_officer, sponsor, democratic_services, approver, read_only.
READS_A_DRAFT = "L    200  404  200  200  404  200"
READS_B_DRAFT = "L    404  200  404  200  404  200"
READS_A_SUBMITTED = "L    200  404  200  200  200  200"
READS_B_SUBMITTED = "L    404  200  404  200  200  200"

PARTNERSHIP_PAGE = {
    "A draft": (READS_A_DRAFT, NO_POST),
    "A submitted": (READS_A_SUBMITTED, NO_POST),
    "A active": (SIGNED_IN, NO_POST),
    "A closed": (SIGNED_IN, NO_POST),
    "B draft": (READS_B_DRAFT, NO_POST),
    "B submitted": (READS_B_SUBMITTED, NO_POST),
    "no such partnership": (NOT_FOUND, NO_POST),
}

# A page under a partnership that checks who may read it before it looks at the method.
PARTNERSHIP_PAGE_CHECKED_FIRST = {
    "A draft": (READS_A_DRAFT, "L    405  404  405  405  404  405"),
    "A active": (SIGNED_IN, NO_POST),
    "B draft": (READS_B_DRAFT, "L    404  405  404  405  404  405"),
    "no such partnership": (NOT_FOUND, NOT_FOUND),
}

# Keeping a risk register (risks.add_risk, change_risk, close_risk, escalate_risk): the
# partnership's sponsoring officer and Democratic Services, while it is open.
MANAGES_A_RISKS = "L    403  403  200  200  403  403"
MANAGES_B_RISKS = "L    403  403  403  200  403  403"
B_DRAFT_RISKS = "L    404  403  404  200  404  403"

# A risk's pages for reading: who may read the partnership may read its risks.
RISK_PAGE = {
    "A active R1": (SIGNED_IN, NO_POST),
    "A draft R1": (READS_A_DRAFT, "L    405  404  405  405  404  405"),
    "B draft R1": (READS_B_DRAFT, "L    404  405  404  405  404  405"),
    "B active R2 under A active": (NOT_FOUND, NOT_FOUND),
}

RISK_WRITE = {
    "A active R1": same(MANAGES_A_RISKS),
    "B active R1": same(MANAGES_B_RISKS),
    "B draft R1": same(B_DRAFT_RISKS),
    "B active R2 under A active": same(NOT_FOUND),
}

# Annual reviews and exits (reviews.record_review, manage_exit): the sponsoring officer and
# Democratic Services; closed partnerships change no more.
RECORDS_A = MANAGES_A_RISKS
RECORDS_B = MANAGES_B_RISKS

EXIT_PAGE = {
    "A exiting": same(RECORDS_A),
    "B exiting": same(RECORDS_B),
    "A closed": same(NOBODY),
    "A active": same(NOBODY),
}


class Entry:
    """The records a URL pattern is tried with, and the expected rows for each.

    `kwargs` fills the pattern's other arguments (a section, a file format) for every record.
    Only signing out writes when it answers with a redirect to the sign-in page: the sign-in log
    records the time.
    """

    def __init__(self, targets, writes_when_refused=False, **kwargs):
        self.targets = targets
        self.writes_when_refused = writes_when_refused
        self.kwargs = kwargs


# The project's own pages ------------------------------------------------------------------------

SITE = {
    "": Entry(READ_PAGE),
    "accessibility/": Entry(PUBLIC_PAGE),
    "healthz": Entry(PUBLIC_PAGE),
    "sign-in/": Entry({"": (ANYONE, ANYONE)}),
    "sign-out/": Entry(
        {"": (NO_POST, "L    L    L    L    L    L    L")}, writes_when_refused=True
    ),
    "password/change/": Entry({"": same(SIGNED_IN)}),
    "password/change/done/": Entry(READ_PAGE),
}

REGISTER = {
    "partnerships/": Entry(READ_PAGE),
    r"^partnerships/export\.(?P<file_format>csv|xlsx)$": Entry(
        {"csv": (SIGNED_IN, NO_POST), "xlsx": (SIGNED_IN, NO_POST)}
    ),
    "partnerships/new/": Entry({"": same("L    200  200  200  200  200  403")}),
    "partnerships/<str:reference>/edit/": Entry(
        {
            "A draft": ("L    200  404  200  200  404  403", NO_POST),
            "A active": ("L    403  403  200  200  403  403", NO_POST),
            "A submitted": ("L    403  404  403  200  403  403", NO_POST),
            "A closed": (NOBODY, NO_POST),
            "B draft": ("L    404  200  404  200  404  403", NO_POST),
        }
    ),
    "partnerships/<str:reference>/edit/<slug:section>/": Entry(
        {
            "A draft": same("L    200  404  200  200  404  403"),
            "A active": same("L    403  403  200  200  403  403"),
            "A closed": same(NOBODY),
            "B draft": same("L    404  200  404  200  404  403"),
            "B active": same("L    403  403  403  200  403  403"),
        },
        section="partnership",
    ),
    "partnerships/<str:reference>/check/": Entry(
        {
            # Submitting the incomplete draft is refused with the gaps listed (200).
            "A draft": same("L    200  404  200  200  404  403"),
            "B draft": same("L    404  200  404  200  404  403"),
            "A submitted": same("L    R    404  R    R    R    R"),
            "A active": same("L    R    R    R    R    R    R"),
        }
    ),
    "partnerships/<str:reference>/submitted/": Entry(
        {
            "A submitted": (READS_A_SUBMITTED, NO_POST),
            "B submitted": (READS_B_SUBMITTED, NO_POST),
            "A draft": ("L    R    404  R    R    404  R", NO_POST),
        }
    ),
    "partnerships/<str:reference>/documents/<int:pk>/": Entry(
        {
            "A active document": (SIGNED_IN, NO_POST),
            "A draft document": (READS_A_DRAFT, NO_POST),
            "B draft document": (READS_B_DRAFT, NO_POST),
            "B draft document under A active": (NOT_FOUND, NO_POST),
            "B draft document under A draft": ("L    404  404  404  404  404  404", NO_POST),
        }
    ),
    "partnerships/<str:reference>/documents/<int:pk>/archive/": Entry(
        {
            "A draft document": (NO_POST, "L    R    404  R    R    404  403"),
            "A active document": (NO_POST, "L    403  403  R    R    403  403"),
            "B draft document": (NO_POST, "L    404  R    404  R    404  403"),
            "B draft document under A draft": (NO_POST, "L    404  404  404  404  404  403"),
            "B active document under A active": (NO_POST, "L    403  403  404  404  403  403"),
        }
    ),
    "partnerships/<str:reference>/": Entry(PARTNERSHIP_PAGE),
    "partnerships/<str:reference>/history/": Entry(PARTNERSHIP_PAGE),
    "partnerships/<str:reference>/print/": Entry(PARTNERSHIP_PAGE),
    "partnerships/<str:reference>/decision/": Entry(
        {
            # A's submission is not significant: its sponsor may approve it.
            "A submitted": same("L    403  404  200  200  200  403"),
            "B submitted": same("L    404  403  404  200  200  403"),
            "A draft": same("L    403  404  403  403  404  403"),
            "A active": same(NOBODY),
        }
    ),
    "overview/": Entry(
        {"": ("L    403  403  403  200  403  200", "L    403  403  403  405  403  405")}
    ),
    "preferences/": Entry({"": same(SIGNED_IN)}),
    "public/": Entry(PUBLIC_PAGE),
    "public/register.csv": Entry(PUBLIC_PAGE),
    "reports/annual/": Entry(
        {"": ("L    403  403  403  200  200  200", "L    403  403  403  405  405  405")}
    ),
    "reports/annual.docx": Entry(
        {"": ("L    403  403  403  200  200  200", "L    403  403  403  405  405  405")}
    ),
    "reports/risk-update/": Entry(
        {"": ("L    403  403  403  200  403  200", "L    403  403  403  405  403  405")}
    ),
    "reports/risk-update.docx": Entry(
        {"": ("L    403  403  403  200  403  200", "L    403  403  403  405  403  405")}
    ),
}

REVIEWS = {
    "reviews/": Entry(READ_PAGE),
    "reviews/my-exit-actions/": Entry(READ_PAGE),
    "partnerships/<str:reference>/reviews/": Entry(PARTNERSHIP_PAGE_CHECKED_FIRST),
    "partnerships/<str:reference>/reviews/start/": Entry(
        {
            "A active": ("L    403  403  200  200  403  403", "L    403  403  R    R    403  403"),
            "B active": ("L    403  403  403  200  403  403", "L    403  403  403  R    403  403"),
            # Under review already: the review in progress opens instead.
            "A under review": same("L    403  403  R    R    403  403"),
            # Only an active partnership can be reviewed: the page says so, the POST is refused.
            "B draft": ("L    404  403  404  200  404  403", "L    404  403  404  R    404  403"),
            "A closed": same(NOBODY),
        }
    ),
    "partnerships/<str:reference>/reviews/<int:pk>/": Entry(
        {
            "A active completed review": (SIGNED_IN, NO_POST),
            "B under review draft review": (SIGNED_IN, NO_POST),
            "B active completed review under A active": (NOT_FOUND, NO_POST),
            "B under review draft review under A under review": (NOT_FOUND, NO_POST),
        }
    ),
    "partnerships/<str:reference>/reviews/<int:pk>/edit/": Entry(
        {
            "A under review draft review": same(RECORDS_A),
            "B under review draft review": same(RECORDS_B),
            # A completed review is locked, for everyone.
            "A active completed review": same(NOBODY),
            "B under review draft review under A under review": same(
                "L    403  403  404  404  403  403"
            ),
        }
    ),
    "partnerships/<str:reference>/reviews/<int:pk>/correct/": Entry(
        {
            "A active completed review": (
                "L    403  403  405  405  403  403",
                "L    403  403  R    R    403  403",
            ),
            "B active completed review": (
                "L    403  403  403  405  403  403",
                "L    403  403  403  R    403  403",
            ),
            "B active completed review under A active": (
                "L    403  403  405  405  403  403",
                "L    403  403  404  404  403  403",
            ),
        }
    ),
    "partnerships/<str:reference>/next-review-date/": Entry(
        {
            "A active": same("L    403  403  403  200  403  403"),
            "A draft": same("L    403  404  403  403  404  403"),
            "A closed": same(NOBODY),
        }
    ),
    "partnerships/<str:reference>/exit-strategy/": Entry(
        {
            "A exiting": (SIGNED_IN, NO_POST),
            "B closed": (SIGNED_IN, NO_POST),
            "A active": (NOT_FOUND, NO_POST),
            "B draft": (NOT_FOUND, "L    404  405  404  405  404  405"),
        }
    ),
    "partnerships/<str:reference>/exit-strategy/edit/": Entry(EXIT_PAGE),
    "partnerships/<str:reference>/exit-strategy/complete/": Entry(EXIT_PAGE),
    "partnerships/<str:reference>/exit-actions/<int:pk>/": Entry(
        {
            "A exiting exit action": same(RECORDS_A),
            "B exiting exit action": same(RECORDS_B),
            "A closed exit action": same(NOBODY),
            "B exiting exit action under A exiting": same(NOT_FOUND),
            "B closed exit action under A exiting": same(NOT_FOUND),
        }
    ),
}

RISKS = {
    "risks/": Entry(READ_PAGE),
    "risks/export.<str:file_format>": Entry(
        {
            "csv": (SIGNED_IN, NO_POST),
            "xlsx": (SIGNED_IN, NO_POST),
            "pdf": (NOT_FOUND, NO_POST),
        }
    ),
    "risks/heat-map/": Entry(READ_PAGE),
    "risks/bands.css": Entry(PUBLIC_PAGE),
    "partnerships/<str:reference>/risks/": Entry(PARTNERSHIP_PAGE_CHECKED_FIRST),
    "partnerships/<str:reference>/risks/add/": Entry(
        {
            "A active": same(MANAGES_A_RISKS),
            "A draft": same("L    403  404  200  200  404  403"),
            "B active": same(MANAGES_B_RISKS),
            "A closed": same(NOBODY),
            "no such partnership": same(NOT_FOUND),
        }
    ),
    "partnerships/<str:reference>/risks/heat-map/": Entry(PARTNERSHIP_PAGE_CHECKED_FIRST),
    "partnerships/<str:reference>/risks/board-paper/": Entry(PARTNERSHIP_PAGE_CHECKED_FIRST),
    "partnerships/<str:reference>/risks/board-paper.<str:file_format>": Entry(
        PARTNERSHIP_PAGE_CHECKED_FIRST, file_format="csv"
    ),
    "partnerships/<str:reference>/risks/<str:risk>/": Entry(RISK_PAGE),
    "partnerships/<str:reference>/risks/<str:risk>/history/": Entry(RISK_PAGE),
    "partnerships/<str:reference>/risks/<str:risk>/edit/": Entry(RISK_WRITE),
    "partnerships/<str:reference>/risks/<str:risk>/close/": Entry(RISK_WRITE),
    "partnerships/<str:reference>/risks/<str:risk>/review/": Entry(RISK_WRITE),
    "partnerships/<str:reference>/risks/<str:risk>/escalate/": Entry(RISK_WRITE),
    "partnerships/<str:reference>/risks/<str:risk>/actions/<int:action>/progress/": Entry(
        {
            "A active R1 action": same(MANAGES_A_RISKS),
            "B draft R1 action": same(B_DRAFT_RISKS),
            "B draft R1 action under A active R1": same(NOT_FOUND),
            "B active R1 action under A active R1": same(NOT_FOUND),
        }
    ),
}

# Django admin -----------------------------------------------------------------------------------
# Only Democratic Services and Read-only users are staff: everyone else, signed in or not, is sent
# to the admin's sign-in page. What each of the two may do in each model's admin follows
# register/roles.py (Democratic Services add, change and view the register, risks and reviews;
# Read-only users view them), the rule that nothing is ever deleted, and each admin's own limits.

STAFF_ONLY = "S    A    A    A    {ds:4} A    {ro}"


def staff(ds, ro):
    return STAFF_ONLY.format(ds=str(ds), ro=str(ro))


ADMIN_RIGHTS = {
    # model: (what Democratic Services may do, what Read-only users may do)
    "auth.group": ("", ""),
    # Democratic Services see users to choose sponsoring officers; accounts are IT's to change.
    "auth.user": ("view", ""),
    "axes.accessattempt": ("", ""),
    "axes.accesslog": ("", ""),
    "axes.accessfailurelog": ("", ""),
    "pghistory.events": ("", ""),
    "register.partnership": ("view add change import export", "view export"),
    "register.organisation": ("view add change import export", "view export"),
    "register.person": ("view add change", "view"),
    "register.directorate": ("view add change", "view"),
    "register.corporatepriority": ("view add change", "view"),
    "register.checklistconsideration": ("view add change", "view"),
    # One threshold and one matrix, changed but never added to.
    "register.significancethreshold": ("view change", "view"),
    "risks.riskmatrix": ("view change", "view"),
    # References are issued by the register itself.
    "register.referencecounter": ("view", "view"),
    "risks.risk": ("view add change", "view"),
    # Reviews and exit strategies start from the partnership's pages, never in admin.
    "reviews.annualreview": ("view change", "view"),
    "reviews.exitstrategy": ("view change", "view"),
    # The record of a changed review date is kept as it was made.
    "reviews.nextreviewdatechange": ("view", "view"),
}


def _can(rights, right, yes, no=403):
    return yes if right in rights.split() else no


def admin_model_entries():
    entries = {}
    for label, (ds, ro) in ADMIN_RIGHTS.items():
        app, model = label.split(".")
        prefix = f"admin/{app}/{model}/"
        obj = f"admin {label}"

        def row(right, yes, no=403, ds=ds, ro=ro):
            return staff(_can(ds, right, yes, no), _can(ro, right, yes, no))

        entries[prefix] = Entry({"": same(row("view", 200))})
        entries[prefix + "add/"] = Entry({"": same(row("add", 200))})
        entries[prefix + "<path:object_id>/change/"] = Entry(
            {obj: (row("view", 200), row("change", 200))}
        )
        entries[prefix + "<path:object_id>/history/"] = Entry({obj: same(row("view", 200))})
        entries[prefix + "<path:object_id>/delete/"] = Entry({obj: same(staff(403, 403))})
        # The old-style object URL redirects staff to the change page.
        entries[prefix + "<path:object_id>/"] = Entry({obj: same(staff("R", "R"))})
        if "import" in ds:
            entries[prefix + "import/"] = Entry({"": same(row("import", 200))})
            entries[prefix + "process_import/"] = Entry({"": (staff(405, 405), row("import", 200))})
        if "export" in ds:
            entries[prefix + "export/"] = Entry({"": same(row("export", 200))})
    entries["admin/auth/user/<id>/password/"] = Entry({"admin auth.user": same(staff(403, 403))})
    # Django looks for the row before it checks the permission on the history page, and axes
    # hides lapsed sign-in attempts: the page says there is no such attempt and goes back.
    entries["admin/axes/accessattempt/<path:object_id>/history/"].targets[
        "admin axes.accessattempt"
    ] = same(staff("R", "R"))
    # A closed partnership is read, never changed, in admin too; so is a completed review.
    entries["admin/register/partnership/<path:object_id>/change/"].targets[
        "admin A closed partnership"
    ] = (
        staff(200, 200),
        staff(403, 403),
    )
    entries["admin/reviews/annualreview/<path:object_id>/change/"].targets[
        "admin completed review"
    ] = (staff(200, 200), staff(403, 403))
    return entries


ADMIN = {
    "admin/": Entry({"": same(staff(200, 200))}),
    "admin/login/": Entry({"": ("200  200  200  200  R    200  R", ANYONE)}),
    # Signing out of admin signs out of the register too; the others are sent to admin's index.
    "admin/logout/": Entry(
        {"": ("S    R    R    R    405  R    405", "S    R    R    R    L    R    L")},
        writes_when_refused=True,
    ),
    "admin/password_change/": Entry({"": same(staff(200, 200))}),
    "admin/password_change/done/": Entry({"": (staff(200, 200), staff(405, 405))}),
    "admin/autocomplete/": Entry(
        {
            "person autocomplete": (staff(200, 200), staff(405, 405)),
            "": (staff(403, 403), staff(405, 405)),
        }
    ),
    "admin/jsi18n/": Entry({"": (staff(200, 200), staff(405, 405))}),
    "admin/r/<path:content_type_id>/<path:object_id>/": Entry(
        {"view on site: B active": same(staff("R", "R"))}
    ),
    "admin/^(?P<app_label>auth|axes|register|risks|reviews|pghistory)/$": Entry(
        {
            "register": same(staff(200, 200)),
            # Users are not on Democratic Services' admin menu: they pick them by autocomplete.
            "auth": same(staff(404, 404)),
            "axes": same(staff(404, 404)),
        }
    ),
    "admin/(?P<url>.*)$": Entry({"no-such-page/": same(staff(404, 404))}),
    **admin_model_entries(),
}

EXPECTED = {**SITE, **REGISTER, **REVIEWS, **RISKS, **ADMIN}

# Filling a pattern with a record ------------------------------------------------------------------

# Plain values some patterns take, by target name.
VALUE_TARGETS = {
    "": {},
    "csv": {"file_format": "csv"},
    "xlsx": {"file_format": "xlsx"},
    "pdf": {"file_format": "pdf"},
    "register": {"app_label": "register"},
    "auth": {"app_label": "auth"},
    "axes": {"app_label": "axes"},
    "no-such-page/": {"url": "no-such-page/"},
    "person autocomplete": {
        "_query": "app_label=register&model_name=representation&field_name=person&term=B"
    },
}


def all_targets(world):
    """Every record and value an entry can name, as URL keyword arguments."""
    targets = {**VALUE_TARGETS, **world.targets}
    for label, object_id in world.admin_ids.items():
        targets[f"admin {label}"] = {"object_id": object_id, "id": object_id}
    targets["admin A closed partnership"] = {
        "object_id": world.partnerships["A closed"].pk,
    }
    targets["admin completed review"] = {"object_id": world.reviews["B active completed"].pk}
    return targets


def first_urls(world):
    """One URL for each pattern, filled with the first record its entry is tried with."""
    targets = all_targets(world)
    urls = {}
    for route, entry in EXPECTED.items():
        target = next(iter(entry.targets))
        urls[route] = (fill(route, {**entry.kwargs, **targets[target]}), entry.targets[target])
    return urls


def inventory():
    """Every URL pattern of the project, as its full route, admin included."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return list(walk(get_resolver().url_patterns, ""))


def unchecked(routes, expected):
    """(routes with no expectation, expectations for no route): both must be empty."""
    return sorted(set(routes) - set(expected)), sorted(set(expected) - set(routes))


def fill(route, kwargs):
    """The URL for a route with its arguments filled in ("partnerships/<str:reference>/")."""

    def value(match):
        return str(kwargs[match.group(1)])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", value, path)
    path = "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")
    query = kwargs.get("_query")
    return f"{path}?{query}" if query else path


# What each role may not read, by name: no page, list, export or search may show it to them.
# (Drafts and submissions are read only by those with a hand in them, Democratic Services and
# Read-only users, and submissions by Approvers; the public see only the public register.)
A_DRAFT = ["A draft partnership", "A draft terms", "A draft risk"]
B_DRAFT = ["B draft partnership", "B draft terms", "B draft risk"]
HIDDEN = {
    "anonymous": [*A_DRAFT, *B_DRAFT, "A submitted partnership", "B submitted partnership"],
    "officer": [*B_DRAFT, "B submitted partnership"],
    "other_officer": [*A_DRAFT, "A submitted partnership"],
    "sponsor": [*B_DRAFT, "B submitted partnership"],
    "democratic_services": [],
    "approver": [*A_DRAFT, *B_DRAFT],
    "read_only": [],
}


def matches(want, got):
    return got == want or (want == "S" and got in {"L", "A"})


def parse_row(row):
    cells = row.split()
    if len(cells) != len(ROLES):
        raise ValueError(f"{row!r} has {len(cells)} cells, not one for each of {ROLES}")
    return dict(zip(ROLES, cells, strict=True))
