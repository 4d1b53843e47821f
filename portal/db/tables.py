"""Piccolo tables of the portal, in one module so every area imports the same classes."""

from piccolo.columns import (
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Organisation(Table):
    """A social work centre, employment office, NGO, social enterprise, employer or other partner."""

    name = Varchar(length=200, index=True, help_text="Official name.")
    slug = Varchar(length=120, unique=True, help_text="Stable key in URLs and imports.")
    kind = Varchar(length=40, index=True, help_text="One of portal.organisations.kinds.ORGANISATION_KINDS.")
    country = Varchar(length=2, index=True, help_text="ISO 3166-1 alpha-2 code.")
    region = Varchar(length=100, index=True, help_text="Statistical region (SI) or county (HR).")
    municipality = Varchar(length=100, index=True)
    address = Varchar(length=200)
    postcode = Varchar(length=20)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    languages = Varchar(length=100, help_text="Comma-separated ISO 639-1 codes.")
    email = Varchar(length=200)
    phone = Varchar(length=50)
    website = Varchar(length=300)
    contact_person = Varchar(length=200, help_text="Role or name of the contact; hidden from the public.")
    description = Text()
    registry_id = Varchar(length=50, help_text="Company or registry identifier (matična številka, OIB).")
    search_text = Text(help_text="Lower-case, diacritic-free text that search matches against.")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Relationship(Table):
    """A directed tie between two organisations: partnership, referral agreement, funding..."""

    source = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade, index=True)
    target = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=40, index=True)
    since = Date(null=True, default=None)
    until = Date(null=True, default=None)
    strength = Integer(default=3, help_text="1 (weak) to 5 (strong).")
    note = Text()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PortalUser(Table, tablename="portal_user"):
    """A person who logs in; belongs to one organisation and has one role."""

    username = Varchar(length=100, unique=True)
    password_hash = Varchar(length=255, help_text="Argon2id hash.")
    display_name = Varchar(length=200)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=20, help_text="admin, coordinator, counsellor, enterprise or employer.")
    language = Varchar(length=5, default="", help_text="Preferred UI language; empty means the browser's.")
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)


class UserSession(Table, tablename="user_session"):
    """A server-side login session; the cookie holds the token, this row its SHA-256."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    address = Varchar(length=64)


class LoginAttempt(Table, tablename="login_attempt"):
    """One try to log in, kept for throttling by account and by address."""

    username = Varchar(length=100, index=True)
    address = Varchar(length=64, index=True)
    succeeded = Boolean(default=False)
    attempted_at = Timestamptz(index=True)
