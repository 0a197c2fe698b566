"""The council's roles, each a Django group created by a data migration."""

OFFICER = "Officer"
SPONSORING_OFFICER = "Sponsoring officer"
DEMOCRATIC_SERVICES = "Democratic Services"
APPROVER = "Approver"
READ_ONLY = "Read-only"

ALL_ROLES = [OFFICER, SPONSORING_OFFICER, DEMOCRATIC_SERVICES, APPROVER, READ_ONLY]

# Model permissions each role holds in Django admin, by app label. Democratic Services keep the
# register there, so they may change everything except delete: records are closed, never deleted.
ADMIN_PERMISSIONS = {
    DEMOCRATIC_SERVICES: {
        "apps": ["register", "risks", "reviews"],
        "actions": ["add", "change", "view"],
    },
    READ_ONLY: {"apps": ["register", "risks", "reviews"], "actions": ["view"]},
}
