"""Dates in the suite are read when a test runs, and are the council's (London) dates.

A date kept from when a module was imported is yesterday's once a run crosses midnight, and the
machine's date.today() is UTC's, a day behind London's from 23:00 to midnight in summer. Either
made tests fail for a reason that had nothing to do with the code under test.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUITE = sorted((ROOT / "tests").rglob("*.py"))
CODE = SUITE + sorted(
    path
    for package in ("partnerships_site", "register", "risks", "reviews")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
)
CLOCK_CALLS = {"today", "localdate", "now", "localtime"}


def _calls_the_clock(node) -> bool:
    function = node.func if isinstance(node, ast.Call) else None
    name = getattr(function, "attr", None) or getattr(function, "id", None)
    return name in CLOCK_CALLS


def clock_read_on_import(source: str) -> list[int]:
    """Lines of source that read the clock when the module is imported, not when a test runs.

    Function and lambda bodies run later and are skipped; their decorators and default values
    run on import and are looked at, as is everything at module and class level.
    """
    found = []

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            on_import = [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]
            for part in filter(None, on_import):
                visit(part)
            return
        if isinstance(node, ast.Lambda):
            return
        if _calls_the_clock(node):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def machine_dates(source: str) -> list[int]:
    """Lines that ask for the machine's date: date.today() rather than timezone.localdate()."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "today"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"date", "datetime"}
    ]


def test_the_checks_find_what_they_look_for():
    source = (
        "from datetime import date\n"
        "TODAY = date.today()\n"  # 2: on import, and the machine's date
        "class Case:\n"
        "    when = timezone.localdate()\n"  # 4: on import
        "@pytest.mark.parametrize('day', [timezone.localdate()])\n"  # 5: on import
        "def test(day, later=timezone.now()):\n"  # 6: on import
        "    return timezone.localdate(), date.today()\n"  # 7: when run, but the machine's date
        "make = lambda: timezone.localdate()\n"
    )
    assert clock_read_on_import(source) == [2, 4, 5, 6]
    assert machine_dates(source) == [2, 7]


@pytest.mark.parametrize("path", SUITE, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_test_module_reads_the_clock_on_import(path):
    assert clock_read_on_import(path.read_text()) == [], (
        f"{path.name} reads the date or time on import: read it in the test, with "
        "tests.helpers.today() or timezone.localdate()"
    )


@pytest.mark.parametrize("path", CODE, ids=lambda path: str(path.relative_to(ROOT)))
def test_dates_are_londons_not_the_machines(path):
    assert machine_dates(path.read_text()) == [], (
        f"{path.name} asks for the machine's (UTC) date: use timezone.localdate()"
    )
