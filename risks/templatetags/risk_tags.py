"""Template tags for risk registers: a score with its band, and the score grid of a form."""

from django import template

from partnerships_site.jinja import render

register = template.Library()


@register.simple_tag(takes_context=True)
def risk_score(context, record, kind, detail=True):
    """A risk's (or review's) inherent, actual or residual score, as a band-coloured tag.

    Shows the score and the band's name as text, so the colour is never the only signal. Drawn
    by the Jinja2 partial a risk register's rows use too.
    """
    score = record.score(kind, context["risk_matrix"])
    return render("risks/includes/score.jinja", score=score, detail=detail)


@register.inclusion_tag("risks/includes/score_grid.html", takes_context=True)
def score_grid(context, field):
    """A ScoreField as a grid of radios laid out like the matrix: likelihood down, impact across.

    Every radio's label reads in full ("Likelihood 4 Likely, impact 5 Critical: score 20, Very
    high"); the first radio takes the field's own id, so error summary links land on it.
    """
    matrix = context["risk_matrix"]
    current = field.value()
    show_errors = context.get("show_errors", True)
    rows = []
    first = True
    for likelihood in reversed(matrix.values):
        cells = []
        for impact in matrix.values:
            value = f"{likelihood}-{impact}"
            cells.append(
                {
                    "value": value,
                    "id": field.auto_id if first else f"{field.auto_id}_{likelihood}_{impact}",
                    "checked": str(current) == value,
                    "score": matrix.score(likelihood, impact),
                }
            )
            first = False
        rows.append({"likelihood": matrix.likelihood(likelihood), "cells": cells})
    return {
        "field": field,
        "rows": rows,
        "impacts": matrix.impacts,
        "errors": field.errors if show_errors else [],
    }
