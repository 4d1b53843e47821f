"""Piccolo tables of the portal, in one module so every area imports the same classes."""

from piccolo.columns import (
    Boolean,
    Bytea,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

# Piccolo adds the ``id`` primary key to every table itself; each table declares ``id: Serial`` so
# type checkers know it too. An annotation makes no column: the schema is Piccolo's default.


class Organisation(Table):
    """A social work centre, employment office, NGO, social enterprise, employer or other partner."""

    id: Serial

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

    id: Serial

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

    id: Serial

    username = Varchar(length=100, unique=True)
    password_hash = Varchar(length=255, help_text="Argon2id hash.")
    display_name = Varchar(length=200)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=20, help_text="admin, coordinator, counsellor, enterprise or employer.")
    language = Varchar(length=5, default="", help_text="Preferred UI language; empty means the browser's.")
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
    email = Varchar(length=254, default="", index=True, help_text="For invitations and password resets.")
    password_changed_at = Timestamptz(null=True, default=None)
    totp_secret = Varchar(length=64, default="", help_text="Base32 TOTP secret; empty when two-factor is off.")
    totp_enabled = Boolean(default=False)
    totp_last_step = Integer(default=0, help_text="Last 30-second step accepted, so a code is never used twice.")


class UserSession(Table, tablename="user_session"):
    """A server-side login session; the cookie holds the token, this row its SHA-256."""

    id: Serial

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    address = Varchar(length=64)
    user_agent = Varchar(length=200, default="", help_text="So the user can tell their sessions apart.")
    pending_second_factor = Boolean(
        default=False, help_text="Password checked, TOTP code not yet: the session opens nothing but the code form."
    )


class AccountToken(Table, tablename="account_token"):
    """A single-use link sent by e-mail: an invitation to set a first password, or a password reset."""

    id: Serial

    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the token; the token is only in the e-mail.")
    user = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=20, help_text="invitation or reset.")
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    used_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=PortalUser, null=True, on_delete=OnDelete.set_null, default=None)


class RecoveryCode(Table, tablename="recovery_code"):
    """A one-time code that signs in when the authenticator is lost; stored as its SHA-256."""

    id: Serial

    user = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64)
    used_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="login_attempt"):
    """One try to log in, kept for throttling by account and by address."""

    id: Serial

    username = Varchar(length=100, index=True)
    address = Varchar(length=64, index=True)
    succeeded = Boolean(default=False)
    attempted_at = Timestamptz(index=True)


class PasswordResetRequest(Table, tablename="password_reset_request"):
    """One "forgot your password" request, kept an hour for throttling by address and by account."""

    id: Serial

    address = Varchar(length=64, index=True)
    username = Varchar(length=100, index=True, default="", help_text="The account mailed a link; empty when none.")
    requested_at = Timestamptz(index=True)


# --- cases, opportunities, referrals (issue 3) --------------------------------------------------


class Participant(Table):
    """A person in an activation programme: a case held by a lead counsellor (the single entry point).

    Name, birth year and contact are personal data shown only to the case team; everyone else
    sees the pseudonymous code.
    """

    id: Serial

    code = Varchar(length=20, unique=True, help_text="Pseudonymous code shown everywhere.")
    first_name = Varchar(length=100)
    last_name = Varchar(length=100)
    name_search = Varchar(
        length=210,
        default="",
        help_text="First and last name folded (lower case, no diacritics) for the caseload search.",
    )
    birth_year = Integer()
    phone = Varchar(length=50)
    email = Varchar(length=200)
    address = Varchar(length=200)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.restrict, index=True)
    lead_counsellor = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict, index=True)
    region = Varchar(length=100, index=True)
    municipality = Varchar(length=100)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    languages = Varchar(length=100, help_text="Comma-separated ISO 639-1 codes.")
    education_level = Varchar(length=20)
    skills = Text(help_text="JSON list of {uri, label}: ESCO concepts where known, free text otherwise.")
    skill_terms = Text(default="", help_text="Folded skill labels, one per line, for SQL filters.")
    interests = Varchar(length=300, help_text="Comma-separated sector codes.")
    hours_per_week = Integer(default=20)
    travel_km = Integer(default=20)
    support_needs = Varchar(length=300, help_text="Comma-separated support codes.")
    available_from = Date(null=True, default=None)
    stage = Varchar(length=20, index=True)
    support_level = Varchar(length=20, help_text="From the latest profiling, or its override.")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    pseudonymised_at = Timestamptz(
        null=True,
        default=None,
        help_text="When the personal data was cleared (erasure or retention); the case is read-only from then on.",
    )
    pseudonymised_reason = Varchar(
        length=300, default="", help_text="The legal reason: request, consent_withdrawn, retention or other: text."
    )


class StageChange(Table, tablename="stage_change"):
    """One step of a participant's activation stage history."""

    id: Serial

    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    stage = Varchar(length=20)
    note = Text()
    changed_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    changed_at = Timestamptz()


class CaseTeamMember(Table, tablename="case_team_member"):
    """A professional from any organisation who shares a case with the lead counsellor."""

    id: Serial

    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=100, help_text="e.g. employment adviser, mentor.")
    added_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    added_at = Timestamptz()


class Consent(Table):
    """One recorded decision about sharing: the newest row per scope is the one in force."""

    id: Serial

    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    scope = Varchar(length=40, help_text="case_team, employer_profile or employer_contact.")
    given = Boolean()
    recorded_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz()
    note = Text()


class ProfilingAssessment(Table, tablename="profiling_assessment"):
    """A transparent assessment: each criterion's answer, points and reason, and any override."""

    id: Serial

    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    answers = Text(help_text="JSON: criterion code -> answer.")
    points = Integer()
    computed_level = Varchar(length=20)
    override_level = Varchar(length=20, help_text="Empty when the computed level stands.")
    override_reason = Text()
    assessed_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    assessed_at = Timestamptz()


class Opportunity(Table):
    """A place an organisation offers: programme place, work trial, training, volunteering, job."""

    id: Serial

    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=40, index=True)
    title = Varchar(length=200)
    description = Text()
    required_skills = Text(help_text="JSON list of {uri, label}.")
    optional_skills = Text(help_text="JSON list of {uri, label}.")
    sector = Varchar(length=40, index=True)
    country = Varchar(length=2)
    region = Varchar(length=100, index=True)
    municipality = Varchar(length=100)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    hours_per_week = Integer()
    starts_on = Date(null=True, default=None)
    ends_on = Date(null=True, default=None)
    capacity = Integer()
    places_taken = Integer(default=0, help_text="Raised only by a conditional update below capacity.")
    support_offered = Varchar(length=300, help_text="Comma-separated support codes.")
    languages = Varchar(length=100)
    status = Varchar(length=10, index=True, help_text="draft, open or closed.")
    search_text = Text()
    created_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Referral(Table):
    """A participant proposed for an opportunity, followed through its closed loop."""

    id: Serial

    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    opportunity = ForeignKey(references=Opportunity, null=False, on_delete=OnDelete.restrict, index=True)
    referred_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    message = Text()
    status = Varchar(length=20, index=True)
    reason = Text(help_text="Why it was declined or dropped out, when it was.")
    holds_place = Boolean(default=False, help_text="True while the referral occupies one of the places.")
    started_on = Date(null=True, default=None, help_text="The day the placement began (the host may backdate it).")
    ended_on = Date(null=True, default=None, help_text="The day it was completed or dropped out.")
    host_opened_at = Timestamptz(null=True, default=None, help_text="When a host user first opened it (ends the undo).")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReferralEvent(Table, tablename="referral_event"):
    """Who moved a referral from which status to which, when and why."""

    id: Serial

    referral = ForeignKey(references=Referral, null=False, on_delete=OnDelete.cascade, index=True)
    from_status = Varchar(length=20)
    to_status = Varchar(length=20)
    reason = Text()
    changed_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    changed_at = Timestamptz(help_text="When the step was recorded.")
    note = Text(help_text="The optional note or message that came with the step.")
    happened_on = Date(null=True, default=None, help_text="When it happened, for a start or an end.")
    kind = Varchar(length=20, default="step", help_text="'step', or 'undone' when it took the last step back.")
    constraints = Varchar(
        length=200, default="", help_text="First event only: the hard constraints the place broke (comma-separated)."
    )


class Notification(Table):
    """An in-app message to one user about a step the other side took."""

    id: Serial

    user = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.cascade, index=True)
    message = Text(help_text="Old rows only: already written in the recipient's language when made.")
    key = Varchar(length=60, default="", help_text="Message key (portal.notifications.messages), rendered when read.")
    params = Text(default="", help_text="The message's parameters as JSON.")
    link = Varchar(length=200)
    read = Boolean(default=False, index=True)
    created_at = Timestamptz()


class AuditEvent(Table, tablename="audit_event"):
    """Who read or changed which personal record, when and from where. Never updated or deleted."""

    id: Serial

    at = Timestamptz(index=True)
    user = ForeignKey(references=PortalUser, null=True, on_delete=OnDelete.restrict, index=True)
    username = Varchar(length=100, help_text="As it was at the time, so the log reads without joins.")
    action = Varchar(length=20, index=True, help_text="read, create, update, share, refer...")
    record_type = Varchar(length=40, index=True)
    record_id = Integer(index=True)
    detail = Text()
    address = Varchar(length=64)


class Skill(Table):
    """A skills vocabulary entry for the picker: an ESCO concept's label in one language."""

    id: Serial

    uri = Varchar(length=200, index=True, help_text="ESCO concept URI.")
    language = Varchar(length=5, help_text="Language of the label.")
    label = Varchar(length=300)
    reuse_level = Varchar(length=30, help_text="transversal, cross-sector, sector-specific...")
    search_text = Text(help_text="Folded label and alternative labels.")


class PlanStep(Table, tablename="plan_step"):
    """One step of a participant's activation plan, under a goal, with a due date."""

    id: Serial

    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    goal = Varchar(length=200)
    step = Varchar(length=300)
    due_on = Date(null=True, default=None)
    done_on = Date(null=True, default=None)
    created_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class CaseNote(Table, tablename="case_note"):
    """A dated note in a case file, shared within the case team."""

    id: Serial

    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    text = Text()
    author = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    written_at = Timestamptz()


# --- the partner network (issue 5) ---------------------------------------------------------------


class NetworkSnapshot(Table, tablename="network_snapshot"):
    """One run of the network analytics: its progress while it runs, and its results once done.

    Pages read the newest finished run and never compute on a request.
    """

    id: Serial

    status = Varchar(length=10, index=True, help_text="running, done or failed.")
    progress = Integer(default=0, help_text="0 to 100.")
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    error = Text(help_text="Why the run failed, when it did.")
    summary = Text(help_text="JSON: network.summary plus each organisation's name, kind and place.")
    graph = Text(help_text="JSON: Cytoscape.js elements with metrics and precomputed positions.")
    gaps = Text(help_text="JSON: worst placement gaps, per-region figures and missing kinds.")
    suggestions = Text(help_text="JSON: network-wide and per-organisation partnership suggestions.")


# --- employers (issue 6) -------------------------------------------------------------------------


class CandidatePseudonym(Table, tablename="candidate_pseudonym"):
    """The name one organisation knows a candidate by: stable for it, unlinkable across organisations.

    Random rather than derived from the participant, so nothing but this row connects the two.
    """

    id: Serial

    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade, index=True)
    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    pseudonym = Varchar(length=20, unique=True)
    created_at = Timestamptz()


class Introduction(Table):
    """An employer's request to meet a candidate, answered by the lead counsellor."""

    id: Serial

    organisation = ForeignKey(
        references=Organisation,
        null=False,
        on_delete=OnDelete.cascade,
        index=True,
        help_text="The employer that asked.",
    )
    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    opportunity = ForeignKey(
        references=Opportunity,
        null=True,
        default=None,
        on_delete=OnDelete.set_null,
        help_text="The employer's opening the request is about, if any.",
    )
    requested_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    message = Text()
    status = Varchar(length=20, index=True, help_text="requested, accepted, declined or withdrawn.")
    reason = Text(help_text="The counsellor's answer: why declined, or how the meeting will be arranged.")
    contact_shared = Boolean(default=False, help_text="Whether contact consent was in force when accepted.")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class IntroductionEvent(Table, tablename="introduction_event"):
    """Who moved an introduction from which status to which, when and why."""

    id: Serial

    introduction = ForeignKey(references=Introduction, null=False, on_delete=OnDelete.cascade, index=True)
    from_status = Varchar(length=20)
    to_status = Varchar(length=20)
    reason = Text()
    changed_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    changed_at = Timestamptz()


# --- allocation rounds and the outcome model (issue 4) -------------------------------------------


class AllocationRound(Table, tablename="allocation_round"):
    """A coordinator's run of an allocation over an intake and a set of opportunities."""

    id: Serial

    name = Varchar(length=200)
    method = Varchar(length=20, help_text="stable or welfare.")
    criteria = Text(help_text="JSON: how the intake and the opportunities were chosen.")
    status = Varchar(length=10, index=True, help_text="running, ready, failed or sent.")
    progress = Integer(default=0, help_text="0 to 100.")
    report = Text(help_text="JSON: placed, unplaced and each person's rank of the placement.")
    error = Text()
    run_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    sent_by = ForeignKey(references=PortalUser, null=True, default=None, on_delete=OnDelete.restrict)
    sent_at = Timestamptz(null=True, default=None)


class AllocationProposal(Table, tablename="allocation_proposal"):
    """One participant's proposed placement in a round, as computed and as a coordinator adjusted it."""

    id: Serial

    allocation_round = ForeignKey(references=AllocationRound, null=False, on_delete=OnDelete.cascade, index=True)
    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    opportunity = ForeignKey(references=Opportunity, null=True, default=None, on_delete=OnDelete.set_null)
    computed_opportunity = ForeignKey(
        references=Opportunity,
        null=True,
        default=None,
        on_delete=OnDelete.set_null,
        help_text="What the algorithm proposed.",
    )
    rank = Integer(null=True, default=None, help_text="Rank of the placement in the person's list; 1 is best.")
    score = DoublePrecision(null=True, default=None)
    explanation = Text(help_text="JSON: the reasons shown for the proposed placement.")
    adjusted_by = ForeignKey(references=PortalUser, null=True, default=None, on_delete=OnDelete.restrict)
    referral = ForeignKey(references=Referral, null=True, default=None, on_delete=OnDelete.set_null)


class OutcomeModel(Table, tablename="outcome_model"):
    """One training of the outcome weights on past referrals, with its evaluation report."""

    id: Serial

    status = Varchar(length=10, index=True, help_text="running, done or failed.")
    trained_by = ForeignKey(references=PortalUser, null=True, default=None, on_delete=OnDelete.restrict)
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    outcomes = Integer(default=0, help_text="How many finished referrals it learnt from.")
    weights = Text(help_text="JSON: the weights chosen (learned or default).")
    in_use = Boolean(default=False, help_text="True when the learned weights beat the defaults on held-out data.")
    report = Text(help_text="JSON: the evaluation report.")
    error = Text()


# --- Training and events (issue 14) ---------------------------------------------------------------


class TrainingProgramme(Table, tablename="training_programme"):
    """A training programme for staff (e.g. the mentors' programme), made of numbered modules."""

    id: Serial

    title = Varchar(length=200)
    description = Text()
    created_at = Timestamptz()


class TrainingEvent(Table, tablename="training_event"):
    """A module, seminar, peer review, workshop or conference: when, where, for how many."""

    id: Serial

    programme = ForeignKey(references=TrainingProgramme, null=True, default=None, on_delete=OnDelete.set_null)
    module_number = Integer(null=True, default=None)
    kind = Varchar(length=20, index=True, help_text="module, seminar, peer_review, workshop or conference.")
    title = Varchar(length=300)
    description = Text()
    topics = Text(help_text="Comma-separated.")
    language = Varchar(length=5, help_text="sl, hr or en.")
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    online = Boolean(default=False)
    online_url = Varchar(length=500)
    place_name = Varchar(length=200)
    municipality = Varchar(length=100)
    country = Varchar(length=2, help_text="SI or HR.")
    region = Varchar(length=100, index=True, help_text="Statistical region (SI) or county (HR) of the place.")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    capacity = Integer(default=0)
    places_taken = Integer(
        default=0, help_text="Registrations with status registered; raised conditionally, never above capacity."
    )
    registration_deadline = Timestamptz(null=True, default=None)
    status = Varchar(length=20, index=True, help_text="draft, published or cancelled.")
    created_by = ForeignKey(references=PortalUser, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class TrainingEventOrganiser(Table, tablename="training_event_organiser"):
    """An organisation that organises an event; its members may record attendance."""

    id: Serial

    event = ForeignKey(references=TrainingEvent, null=False, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(references=Organisation, null=False, on_delete=OnDelete.cascade, index=True)


class TrainingMaterial(Table, tablename="training_material"):
    """A link or an uploaded file (size-limited, type-checked) handed out for an event."""

    id: Serial

    event = ForeignKey(references=TrainingEvent, null=False, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    url = Varchar(length=500, help_text="For links; empty for uploaded files.")
    file_name = Varchar(length=200)
    content_type = Varchar(length=100)
    size = Integer(default=0)
    data = Bytea(null=True, default=None)
    created_at = Timestamptz()


class TrainingRegistration(Table, tablename="training_registration"):
    """One person's place (or place on the waiting list) at an event, and whether they attended."""

    id: Serial

    event = ForeignKey(references=TrainingEvent, null=False, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=PortalUser, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(references=Organisation, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    name = Varchar(length=200, help_text="External people; staff use their account's name.")
    email = Varchar(length=254)
    organisation_name = Varchar(length=200, help_text="As typed by external people.")
    status = Varchar(length=20, index=True, help_text="registered, waitlisted or cancelled.")
    waitlist_position = Integer(null=True, default=None)
    attended = Boolean(null=True, default=None, help_text="None until attendance is recorded.")
    attendance_recorded_at = Timestamptz(null=True, default=None)
    registered_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)
    language = Varchar(length=5, help_text="For the certificate.")
    registered_by = ForeignKey(
        references=PortalUser,
        null=True,
        default=None,
        on_delete=OnDelete.set_null,
        help_text="A coordinator who registered the person; None when they registered themselves.",
    )
    consent_at = Timestamptz(null=True, default=None, help_text="When an external person accepted the consent text.")
    # One registration per staff member and event: the unique index training_registration_event_user
    # (migration 2026-12-02T14:30) on (event, user); NULL users (external people) stay distinct.


class TrainingSignupAttempt(Table, tablename="training_signup_attempt"):
    """One use of the public registration form, kept a day for throttling by address."""

    id: Serial

    address = Varchar(length=64, index=True)
    attempted_at = Timestamptz(index=True)


# --- indicators (issue 13) -----------------------------------------------------------------------


class IndicatorTarget(Table, tablename="indicator_target"):
    """A coordinator's target for one indicator over a period, for the whole programme or one country or region."""

    id: Serial

    indicator = Varchar(length=60, index=True, help_text="A key of portal.indicators.measures.MEASURES.")
    period_start = Date(null=True, default=None, help_text="First day of the first month.")
    period_end = Date(null=True, default=None, help_text="Last day of the last month.")
    country = Varchar(length=2, default="", help_text="Empty: every country.")
    region = Varchar(length=100, default="", help_text="Empty: every region.")
    value = Integer(default=0)
    created_by = ForeignKey(references=PortalUser, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


# --- placements: attendance, responses to absence, mentors (issue 12) -----------------------------


class AttendanceWeek(Table, tablename="attendance_week"):
    """What the host recorded for one week of a started placement: present, absent or excused."""

    id: Serial

    referral = ForeignKey(references=Referral, null=False, on_delete=OnDelete.cascade, index=True)
    week_start = Date(help_text="The Monday of the week.")
    status = Varchar(length=12, help_text="present, absent or excused.")
    note = Text()
    recorded_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz()
    # One row per referral and week: the unique index attendance_week_referral_week (migration 2026-12-02T14:50).


class AbsenceAlert(Table, tablename="absence_alert"):
    """Repeated unexcused absence on a placement, raised for the case team until a response closes it."""

    id: Serial

    referral = ForeignKey(references=Referral, null=False, on_delete=OnDelete.cascade, index=True)
    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    weeks = Integer(default=0, help_text="Unexcused absences in a row when it was raised.")
    last_week = Date(help_text="The Monday of the latest of those weeks.")
    raised_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None, index=True)


class AttendanceResponse(Table, tablename="attendance_response"):
    """One step of the graduated response a counsellor decided, with the reason; never automatic."""

    id: Serial

    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade, index=True)
    referral = ForeignKey(references=Referral, null=True, default=None, on_delete=OnDelete.cascade)
    alert = ForeignKey(references=AbsenceAlert, null=True, default=None, on_delete=OnDelete.set_null)
    step = Varchar(length=20)
    note = Text(help_text="Why, and what was agreed.")
    decided_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    decided_on = Date()
    recorded_at = Timestamptz()


class PlacementMentor(Table, tablename="placement_mentor"):
    """The mentor a host named for a started placement: a colleague with an account, or a name and contact."""

    id: Serial

    referral = ForeignKey(references=Referral, null=False, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=PortalUser, null=True, default=None, on_delete=OnDelete.set_null)
    name = Varchar(length=200)
    contact = Varchar(length=200)
    named_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    named_at = Timestamptz()


# --- Training reminders (issue 14) ----------------------------------------------------------------


class TrainingReminder(Table, tablename="training_reminder"):
    """A reminder sent for one registration the day before its event; the unique key makes it once only."""

    id: Serial

    registration = ForeignKey(references=TrainingRegistration, null=False, on_delete=OnDelete.cascade, unique=True)
    sent_at = Timestamptz()


# --- What-if network plans (issue 19) ------------------------------------------------------------


class NetworkPlan(Table, tablename="network_plan"):
    """A named what-if plan: hypothetical places added, existing ones removed, and its last computed result."""

    id: Serial

    name = Varchar(length=200)
    created_by = ForeignKey(references=PortalUser, null=False, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    updated_at = Timestamptz(help_text="The last change of its places or removals: a result older than this is stale.")
    status = Varchar(length=10, default="draft", help_text="draft, running, done or failed.")
    progress = Integer(default=0, help_text="0 to 100 while running.")
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    error = Text(help_text="Why the last run failed, when it did.")
    result = Text(default="", help_text="JSON: before and after, in total and per region (counts below 5 suppressed).")


class NetworkPlanPlace(Table, tablename="network_plan_place"):
    """A hypothetical opportunity in a plan, placed at its municipality's centre."""

    id: Serial

    plan = ForeignKey(references=NetworkPlan, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=40)
    support_offered = Varchar(length=300, help_text="Comma-separated support codes.")
    languages = Varchar(length=100, help_text="Comma-separated ISO 639-1 codes the place asks for.")
    hours_per_week = Integer()
    capacity = Integer()
    country = Varchar(length=2)
    region = Varchar(length=100)
    municipality = Varchar(length=100)
    latitude = DoublePrecision()
    longitude = DoublePrecision()


class NetworkPlanRemoval(Table, tablename="network_plan_removal"):
    """An existing opportunity a plan takes away."""

    id: Serial

    plan = ForeignKey(references=NetworkPlan, null=False, on_delete=OnDelete.cascade, index=True)
    opportunity = ForeignKey(references=Opportunity, null=False, on_delete=OnDelete.cascade)


# --- Exports built by a job (issue 13) -------------------------------------------------------------


class ExportFile(Table, tablename="export_file"):
    """A big download (the HSDS directory, the network) built by a job and kept in the database for its asker
    (or, for the public directory copy, for everyone)."""

    id: Serial

    # NULL for the public directory copy, which the scheduled job builds for no one in particular.
    requested_by = ForeignKey(references=PortalUser, null=True, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, help_text="hsds or network.")
    format = Varchar(length=10, help_text="zip, graphml, gexf, json or xlsx.")
    status = Varchar(length=10, default="running", help_text="running, done or failed.")
    error = Text()
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(index=True, help_text="After this the file is gone; the retention job removes the row.")
    filename = Varchar(length=100)
    size = Integer(default=0, help_text="Bytes of the file.")
    content = Bytea(null=True, default=None, help_text="The file itself, so that any web worker can serve it.")


# --- Indicators' monthly summary (issue 13) -------------------------------------------------------


class IndicatorStageMonth(Table, tablename="indicator_stage_month"):
    """Net moves into (+) and out of (-) each stage per whole past month and case scope: the stage counts' summary."""

    id: Serial

    month = Varchar(length=7, index=True, help_text="'YYYY-MM' (UTC) of the stage changes.")
    stage = Varchar(length=20)
    country = Varchar(length=2, help_text="The case holder's country.")
    region = Varchar(length=100, help_text="The participant's region.")
    organisation = Integer(help_text="The case holder's organisation (an id; no key, the summary is rebuilt).")
    moves = Integer(help_text="People who entered the stage minus those who left it in the month.")


class IndicatorFirstPlacementMonth(Table, tablename="indicator_first_placement_month"):
    """People whose first placement started in a whole past month, per case scope and days from intake."""

    month = Varchar(length=7, index=True, help_text="'YYYY-MM' (UTC) of the first placement's start.")
    country = Varchar(length=2, help_text="The case holder's country.")
    region = Varchar(length=100, help_text="The participant's region.")
    organisation = Integer(help_text="The case holder's organisation (an id; no key, the summary is rebuilt).")
    days = Integer(help_text="Whole days from opening the case to the start.")
    people = Integer()


class IndicatorFunnelMonth(Table, tablename="indicator_funnel_month"):
    """Referrals sent in a whole past month, per scope, funnel step reached and days it took from the one before."""

    month = Varchar(length=7, help_text="'YYYY-MM' (UTC) the referral was sent in.")
    until = Varchar(length=7, help_text="= month; else the next month it was sent in (a -1 row).")
    country = Varchar(length=2, help_text="The case holder's country.")
    region = Varchar(length=100, help_text="The participant's region.")
    status = Varchar(length=20, help_text="The funnel step reached before the summary's boundary.")
    days = Integer(null=True, default=None, help_text="Whole days from the step before; empty: not timed.")
    organisation = Integer(help_text="0: every organisation; else the case holder or the host (an id).")
    referrals = Integer()


class IndicatorStepMonth(Table, tablename="indicator_step_month"):
    """Referrals with a step (sent, started, ended, hired) in a whole past month, per scope and opportunity."""

    month = Varchar(length=7, help_text="'YYYY-MM' (UTC) of the steps.")
    until = Varchar(length=7, help_text="= month; else the referral's next month with the step (a -1 row).")
    status = Varchar(length=20)
    kind = Varchar(length=40, help_text="The opportunity's kind.")
    country = Varchar(length=2, help_text="The case holder's country.")
    region = Varchar(length=100, help_text="The participant's region.")
    destination = Varchar(length=2, help_text="The opportunity's country.")
    organisation = Integer(help_text="0: every organisation; else the case holder or the host (an id).")
    referrals = Integer(help_text="Referrals counted (+) or taken back for a pair of months (-).")


class IndicatorSummaryState(Table, tablename="indicator_summary_state"):
    """How far the indicators' summary reaches and whether its inputs changed since (one row per summary)."""

    id: Serial

    name = Varchar(length=40, unique=True)
    boundary = Varchar(length=16, help_text="'YYYY-MM-DDTHH:00' (UTC): the summaries hold what is dated before it.")
    changes = Integer(default=0, help_text="Raised by database triggers when a summarised input changes.")
    summarised_changes = Integer(default=0, help_text="``changes`` as the last refresh read it: equal means fresh.")
    refreshed_at = Timestamptz(null=True, default=None)
