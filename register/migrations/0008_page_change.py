"""The page change log (register.models.PageChange) and the triggers that write it.

Every audit event table gets a trigger that adds a row for the partnership the event belongs to,
or a row without a partnership for reference data that any partnership's page may show. A user's
name is not audited by django-pghistory, so auth_user gets a trigger of its own, which writes a
row only when a user is removed or their username or name changes (not for each sign-in's
last_login).

tests/register/test_page_cache.py checks that every event table has its trigger: a new audited
model needs a migration adding it to one of the lists below.
"""

from django.db import migrations, models

# Event tables with the partnership's id in a column of their own.
OWN_COLUMN = [
    "register_approvaldecisionevent",
    "register_checklistanswerevent",
    "register_documentevent",
    "register_financialcontributionevent",
    "register_inkindcontributionevent",
    "register_officertimeevent",
    "register_partnershippartnerevent",
    "register_partnershippriorityevent",
    "register_representationevent",
    "register_statuschangeevent",
    "reviews_annualreviewevent",
    "reviews_exitstrategyevent",
    "reviews_nextreviewdatechangeevent",
    "risks_riskevent",
]
# Event tables of rows that belong to a partnership through another row: the function that
# finds it.
THROUGH = {
    "register_partnershipevent": "register_page_change_of_partnership",
    "risks_actionevent": "register_page_change_through_risk",
    "risks_controlevent": "register_page_change_through_risk",
    "risks_escalationevent": "register_page_change_through_risk",
    "risks_riskreviewevent": "register_page_change_through_risk",
    "reviews_reviewpriorityalignmentevent": "register_page_change_through_review",
    "reviews_exitactionevent": "register_page_change_through_strategy",
}
# Reference data: a change may show on any partnership's page.
EVERY_PAGE = [
    "register_checklistconsiderationevent",
    "register_corporatepriorityevent",
    "register_directorateevent",
    "register_organisationevent",
    "register_personevent",
    "register_profileevent",
    "register_significancethresholdevent",
    "risks_impactlevelevent",
    "risks_likelihoodlevelevent",
    "risks_riskmatrixevent",
    "risks_scorebandevent",
]
# register_sentreminderevent has none: who was sent a reminder shows on no partnership's page.

# The row a row of these event tables belongs to, whose partnership it is: (table, column).
PARENTS = {
    "risk": ("risks_risk", "risk_id"),
    "review": ("reviews_annualreview", "review_id"),
    "strategy": ("reviews_exitstrategy", "strategy_id"),
}

FUNCTIONS = """
CREATE FUNCTION register_page_change_own_column() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.partnership_id IS NOT NULL THEN
        INSERT INTO register_pagechange (partnership_id) VALUES (NEW.partnership_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION register_page_change_of_partnership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO register_pagechange (partnership_id) VALUES (NEW.pgh_obj_id);
    RETURN NULL;
END $$;

CREATE FUNCTION register_page_change_every_page() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO register_pagechange (partnership_id) VALUES (NULL);
    RETURN NULL;
END $$;

CREATE FUNCTION register_page_change_of_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO register_pagechange (partnership_id) VALUES (NULL);
    ELSIF (OLD.username, OLD.first_name, OLD.last_name)
            IS DISTINCT FROM (NEW.username, NEW.first_name, NEW.last_name) THEN
        INSERT INTO register_pagechange (partnership_id) VALUES (NULL);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER register_page_change AFTER UPDATE OR DELETE ON auth_user FOR EACH ROW
EXECUTE FUNCTION register_page_change_of_user();
"""


def through_function(parent):
    table, column = PARENTS[parent]
    return f"""
CREATE FUNCTION register_page_change_through_{parent}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO register_pagechange (partnership_id)
    SELECT partnership_id FROM {table} WHERE id = NEW.{column} AND partnership_id IS NOT NULL;
    RETURN NULL;
END $$;
"""


def create_trigger(table, function):
    return (
        f"CREATE TRIGGER register_page_change AFTER INSERT ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}();"
    )


TRIGGERS = "\n".join(
    [create_trigger(table, "register_page_change_own_column") for table in OWN_COLUMN]
    + [create_trigger(table, function) for table, function in THROUGH.items()]
    + [create_trigger(table, "register_page_change_every_page") for table in EVERY_PAGE]
)

DROP = "\n".join(
    [
        f"DROP TRIGGER register_page_change ON {table};"
        for table in [*OWN_COLUMN, *THROUGH, *EVERY_PAGE, "auth_user"]
    ]
    + [
        f"DROP FUNCTION {function}();"
        for function in sorted(
            {
                "register_page_change_own_column",
                "register_page_change_of_user",
                "register_page_change_every_page",
                *THROUGH.values(),
            }
        )
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0007_partnership_name_sort"),
        ("reviews", "0001_initial"),
        ("risks", "0004_risk_actual_score_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="PageChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("partnership_id", models.BigIntegerField(editable=False, null=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["partnership_id"], name="pagechange_partnership_idx")
                ],
            },
        ),
        migrations.RunSQL(
            FUNCTIONS + "".join(through_function(parent) for parent in PARENTS) + TRIGGERS, DROP
        ),
    ]
