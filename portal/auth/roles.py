"""The five roles and what the UI calls them."""

from portal.i18n import lazy_gettext as _l

ADMIN = "admin"
COORDINATOR = "coordinator"
COUNSELLOR = "counsellor"
ENTERPRISE = "enterprise"
EMPLOYER = "employer"

ROLES = (ADMIN, COORDINATOR, COUNSELLOR, ENTERPRISE, EMPLOYER)
# Roles that run the network and may edit any organisation or relationship.
NETWORK_MANAGERS = frozenset({ADMIN, COORDINATOR})

ROLE_LABELS = {
    ADMIN: _l("Administrator"),
    COORDINATOR: _l("Programme coordinator"),
    COUNSELLOR: _l("Counsellor"),
    ENTERPRISE: _l("Social enterprise / NGO"),
    EMPLOYER: _l("Employer"),
}
