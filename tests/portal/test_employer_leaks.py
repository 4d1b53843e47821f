"""No leaks (issue 6): nothing an employer can reach shows a person's identity, notes or case code.

A data set of people with distinctive names, birth years, addresses, phones, e-mails,
municipalities, coordinates, case notes, plan steps, stage and consent notes, profiling overrides
and referral texts: some in the candidate pool, some outside it (no consent, consent withdrawn,
too early, unfinished activation, already employed). Employer A crawls everything it can reach:
every same-origin link, htmx fragment and GET form of every HTML page (secrets typed into every
search box, a sample of every filter's options, the people's region always among them), every GET
endpoint of the OpenAPI document (with the ids the crawl has seen, and secrets as ``q``), and direct
probes of case, referral and introduction URLs. After the lead counsellor has answered the
employers' requests to meet, A crawls the pages about people again and employer B crawls its own.
Every body is searched for every secret, every case code, the other employer's pseudonyms and
pseudonyms of people outside the pool. A person's contact may show on exactly one page: the
accepted introduction of an employer when the person consented to contact by employers.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urljoin, urlsplit

import httpx
from piccolo.engine.postgres import PostgresEngine

from portal.auth.current_user import CurrentUser
from portal.cases import services as cases
from portal.cases.profiling import assess
from portal.db.engine import close_pool, open_pool
from portal.db.piccolo_conf import DB
from portal.db.tables import CandidatePseudonym, Introduction, Participant, ReferralEvent
from portal.employers import pool
from portal.network import jobs as network_jobs
from portal.referrals import services as referrals
from tests.factories import make_opportunity
from tests.fixtures import csrf_token, login, post_form
from tests.flows import ANSWERS

# --- the data set -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    tag: str
    first: str
    last: str
    born: int
    stage: str
    profile: tuple[bool, ...]  # employer_profile decisions, oldest first
    contact: tuple[bool, ...]  # employer_contact decisions, oldest first
    history: tuple[str, ...]  # how each referral to the secret host ended, in order
    in_pool: bool


# Names and birth years that occur nowhere else; every string is ASCII, so no escaping hides one.
PEOPLE = (
    Person("A", "Zebulonka", "Qwertyjeva", 1937, "placement", (True,), (True,), ("completed",), True),
    Person("B", "Xaverijan", "Plumbokov", 1943, "placement", (True,), (), ("hired",), True),
    Person("C", "Quirinella", "Dromedarska", 1951, "placement", (True,), (True, False), ("dropped_out",), True),
    Person("D", "Jupitrona", "Wexlerikova", 1961, "activation", (True,), (True,), ("completed",), True),
    Person("E", "Vorotnjak", "Zyxovicek", 1929, "placement", (), (True,), ("completed",), False),
    Person("F", "Brunhildka", "Yxlanderova", 1933, "placement", (True, False), (True,), ("completed",), False),
    Person("G", "Kvarkulina", "Oxymoronska", 1947, "intake", (True,), (True,), (), False),
    Person("H", "Ulfrida", "Gnomelova", 1953, "activation", (True,), (True,), ("declined", "started"), False),
    Person("I", "Ozymandra", "Flugelhornova", 1939, "employment", (True,), (True,), ("hired",), False),
)
SECRET_HOST = "Secret Host d.o.o."
SECRET_PLACE = "SECRET-PLACE-TITLE"
# Single words typed into every search box: each would find a person if search looked at them.
SEARCH_TERMS = ("Zebulonka", "Xylofonska", "Qwertovnica", "leak.example", "NOTE-SECRET")
OPTIONS_TRIED = 4  # of each filter's options, and the region the people live in
FORM_SAMPLE = 12  # searches and filter options tried per form outside the candidate pool
# What profiling and the case file record about a person's situation, as the pages word it.
SENSITIVE_PHRASES = (
    "social assistance",
    "Health limitation",
    "A limitation that needs",
    "Arrears",
    "Debt under enforcement",
    "Housing at risk",
    "Without a home",
    "Very long-term unemployed",
    "Low support",
    "Medium support",
    "High support",
    "Unsure about taking part",
)


def _phone(i: int) -> str:
    return f"+386 41 987 6{i:02d}"


def details(i: int, p: Person) -> dict[str, Any]:
    return {
        "first_name": p.first,
        "last_name": p.last,
        "birth_year": p.born,
        "phone": _phone(i),
        "email": f"{p.first.lower()}@leak.example",
        "address": f"Xylofonska ulica {71 + 3 * i}",
        "municipality": f"Zgornja Qwertovnica {p.tag}",
        "region": "Podravska",
        "latitude": float(f"46.3{i}71{i}"),
        "longitude": float(f"15.8{i}93{i}"),
        "languages": "sl,en",
        "education_level": "vocational",
        "skills": _skills("sorting", "cleaning", *(["cooking"] if i % 2 else [])),
        "interests": "reuse_repair",
        "hours_per_week": 20 + i,
        "travel_km": 25,
        "support_needs": "mentor",
        "available_from": None,
    }


def texts(p: Person) -> dict[str, str]:
    """Everything a counsellor writes about the person, each marked so a leak names its source."""
    return {
        "case note": f"NOTE-SECRET-{p.tag} talked about the debts and the new flat",
        "plan goal": f"PLAN-SECRET-GOAL-{p.tag}",
        "plan step": f"PLAN-SECRET-STEP-{p.tag} see the psychiatrist",
        "stage note": f"STAGE-SECRET-{p.tag} moved on after the course",
        "consent note": f"CONSENT-SECRET-{p.tag} signed at the office",
        "profiling override": f"OVERRIDE-SECRET-{p.tag} recent illness",
        "referral message": f"REFERRAL-SECRET-MSG-{p.tag} please be patient with her",
        "referral reason": f"REFERRAL-SECRET-REASON-{p.tag} relapse",
    }


def _skills(*labels: str) -> str:
    return json.dumps([{"uri": "", "label": label} for label in labels])


def _user(user_id: int, username: str, role: str, organisation_id: int) -> CurrentUser:
    return CurrentUser(user_id, username, username, role, organisation_id, "", "en")


@dataclass
class World:
    ids: dict[str, int]  # person tag -> participant id
    firms: dict[str, int]  # "A"/"B" -> employer organisation id
    jobs: dict[str, int]  # "A"/"B" -> the employer's job
    referral_to_a: int  # G's referral to employer A's job
    secret_referrals: list[int]


async def build_world(make_org, make_user) -> World:
    centre = await make_org(name="Centre for social work Ptuj", kind="social_work_centre")
    host = await make_org(name=SECRET_HOST, kind="social_enterprise")
    firms = {
        "A": await make_org(name="Employer Alpha d.o.o.", kind="employer"),
        "B": await make_org(name="Employer Beta d.o.o.", kind="employer"),
    }
    lead = _user(
        await make_user("ana", "counsellor", organisation_id=centre, language="en"), "ana", "counsellor", centre
    )
    host_user = _user(
        await make_user("secrethost", "enterprise", organisation_id=host, language="en"),
        "secrethost",
        "enterprise",
        host,
    )
    bosses = {
        k: await make_user(f"boss-{k.lower()}", "employer", organisation_id=firms[k], language="en") for k in firms
    }
    jobs = {
        "A": await make_opportunity(
            firms["A"],
            bosses["A"],
            kind="job",
            title="Warehouse sorter",
            required_skills=_skills("sorting"),
            capacity=5,
        ),
        "B": await make_opportunity(
            firms["B"],
            bosses["B"],
            kind="job",
            title="Kitchen helper",
            sector="food",
            required_skills=_skills("cooking"),
            capacity=5,
        ),
    }
    secret_places = [
        await make_opportunity(
            host, host_user.id, title=f"{SECRET_PLACE} {n}", capacity=50, description=f"At {SECRET_HOST}."
        )
        for n in (1, 2)
    ]
    computed, _ = assess(ANSWERS)
    override = "high" if computed.level != "high" else "low"
    ids: dict[str, int] = {}
    secret_referrals: list[int] = []
    for i, p in enumerate(PEOPLE):
        t = texts(p)
        pid = ids[p.tag] = await cases.create_case(lead, details(i, p))
        await cases.record_consent(pid, "case_team", True, t["consent note"], lead)
        for given in p.profile:
            await cases.record_consent(pid, "employer_profile", given, t["consent note"], lead)
        for given in p.contact:
            await cases.record_consent(pid, "employer_contact", given, t["consent note"], lead)
        await cases.save_assessment(pid, computed, dict(ANSWERS), override, t["profiling override"], lead)
        await cases.add_plan_step(pid, t["plan goal"], t["plan step"], dt.date(2026, 3, 1), lead)
        await cases.add_note(pid, t["case note"], lead)
        await cases.change_stage(pid, "activation", t["stage note"], lead)
        for n, outcome in enumerate(p.history):
            referral = await referrals.create_referral(pid, secret_places[n], t["referral message"], True, lead)
            secret_referrals.append(referral)
            path = {
                "declined": ["declined"],
                "started": ["accepted", "started"],
                "dropped_out": ["accepted", "started", "dropped_out"],
                "completed": ["accepted", "started", "completed"],
                "hired": ["accepted", "started", "completed", "hired"],
            }[outcome]
            for to in path:
                reason = t["referral reason"] if to in ("declined", "dropped_out") else ""
                await referrals.move(referral, to, reason, host_user, "host")
        if p.stage != "activation":
            await cases.change_stage(pid, p.stage, t["stage note"], lead)
    # A placement of ten weeks, so the profile has a duration to show (and must not show where).
    ten_weeks_ago = dt.datetime.now(dt.UTC) - dt.timedelta(weeks=10, days=1)
    await ReferralEvent.update({ReferralEvent.changed_at: ten_weeks_ago}).where(
        (ReferralEvent.to_status == "started") & (ReferralEvent.referral == secret_referrals[0])
    )
    # A person outside the pool referred to employer A: as the host, A legitimately sees a referral.
    message = "Referred to your job by the centre."
    referral_to_a = await referrals.create_referral(ids["G"], jobs["A"], message, True, lead)
    # And one from the pool, whom A knows by the same pseudonym as in the pool.
    await referrals.create_referral(ids["B"], jobs["A"], message, True, lead)
    assert await pool.pool_ids() == {ids[p.tag] for p in PEOPLE if p.in_pool}
    await network_jobs.run()  # the network pages and API then show demand, gaps and flows from these cases
    return World(ids, firms, jobs, referral_to_a, secret_referrals)


# --- the crawler --------------------------------------------------------------------------------

_NOT_GET = {"hx-post", "hx-put", "hx-patch", "hx-delete"}
_SKIP = ("/static/", "/logout", "/language", "/login")
_NUMBER_OR_NAME = re.compile(r"/(?:\d+|[KP]-[A-Z0-9]{6})(?=/|$)")
_PER_PATTERN = 25  # distinct URLs per path shape (ids folded), enough for every record here
_PER_PUBLIC_PATTERN = 12  # the same for pages not about people (directory, network: sort orders, pages)


class _Html(HTMLParser):
    """Same-origin GET targets of a page (href, src, hx-get, data-*, GET forms) and its GET forms' fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, bool]] = []
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = {"method": method, "action": a.get("action", ""), "fields": []}
            if method == "get":
                self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            kind = "select" if tag == "select" else (a.get("type") or "text").lower()
            if a.get("inputmode") == "numeric":
                kind = "number"  # hours and the like: a name typed there is only refused
            entry = {"name": a["name"], "type": kind, "value": a.get("value", ""), "options": []}
            self._form["fields"].append(entry)
            if tag == "select":
                self._select = entry
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
        for name, value in a.items():
            if name in _NOT_GET or not value.startswith(("/", "http://testserver/")):
                continue
            if tag == "form" and name == "action" and self._form and self._form["method"] != "get":
                continue
            self.links.append((value, name == "hx-get"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class Seen:
    url: str
    status: int
    text: str
    masked: tuple[str, ...] = ()  # search terms the request typed, so their echo is no leak
    probe: bool = False


@dataclass
class Crawl:
    client: httpx.AsyncClient
    searches: bool = True  # try the filters' options and type secrets into search boxes
    focus: bool = False  # only the pages about people (after the introductions nothing else changed)
    cap: int = 400
    seen: list[Seen] = field(default_factory=list)
    done: set[tuple[str, bool]] = field(default_factory=set)
    queue: deque = field(default_factory=deque)
    shapes: Counter = field(default_factory=Counter)
    ids: dict[str, set[int]] = field(default_factory=dict)
    templates: set[str] = field(default_factory=set)
    forms_done: set[str] = field(default_factory=set)

    def add(
        self, raw: str, hx: bool = False, base: str = "/", masked: tuple[str, ...] = (), force: bool = False
    ) -> None:
        parts = urlsplit(urljoin("http://testserver" + base, raw))
        if parts.netloc != "testserver" or parts.path.startswith(_SKIP):
            return
        query = parse_qsl(parts.query, keep_blank_values=True)
        if any(k == "page" and (not v.isdigit() or int(v) > 3) for k, v in query):
            return
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if (url, hx) in self.done:
            return
        shape = _NUMBER_OR_NAME.sub("/{}", parts.path)
        about_people = person_facing(parts.path)
        if not force and (
            self.shapes[shape] >= (_PER_PATTERN if about_people else _PER_PUBLIC_PATTERN)
            or self.focus
            and not about_people
        ):
            return
        self.shapes[shape] += 1
        self.done.add((url, hx))
        self.queue.append((url, hx, masked))
        for collection, number in re.findall(r"^/(?:api/v1/)?(\w+)/(\d+)", parts.path):
            self.ids.setdefault(collection, set()).add(int(number))

    async def run(self, starts: Iterable[str]) -> None:
        for start in starts:
            self.add(start, force=True)
        while True:
            while self.queue and len(self.seen) < self.cap:
                await self._fetch(*self.queue.popleft())
            if self.queue or not self._expand_templates():
                break

    def _expand_templates(self) -> bool:
        before = len(self.queue)
        for template in sorted(self.templates):
            collection = template.split("{", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            for number in sorted(self.ids.get(collection, ())):
                self.add(re.sub(r"\{[^}]+\}", str(number), template))
        return len(self.queue) > before

    async def _fetch(self, url: str, hx: bool, masked: tuple[str, ...]) -> None:
        response = await self.client.get(url, headers={"HX-Request": "true"} if hx else {})
        kind = response.headers.get("content-type", "")
        text = response.text if ("text" in kind or "json" in kind or "yaml" in kind or not kind) else ""
        self.seen.append(Seen(url, response.status_code, text, masked))
        if masked:
            return  # a search with a secret typed in: checked, not followed
        if response.is_redirect:
            self.add(response.headers["location"], base=url)
        elif "json" in kind:
            self._json(url, response)
        elif "html" in kind:
            self._html(url, text)

    def _json(self, url: str, response: httpx.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            return
        path = urlsplit(url).path
        if path.endswith("openapi.json"):
            for route, operations in body.get("paths", {}).items():
                if "get" not in operations or route.startswith("/schema"):
                    continue
                if "{" in route:
                    self.templates.add(route)
                    continue
                self.add(route)
                for parameter in operations["get"].get("parameters", []):
                    if self.searches and parameter.get("in") == "query" and parameter.get("name") == "q":
                        for term in SEARCH_TERMS:
                            self.add(f"{route}?{urlencode({'q': term})}", masked=(term,), force=True)
            return
        collection = path.rstrip("/").rsplit("/", 1)[-1]

        def walk(node: Any, in_list: bool) -> None:
            if isinstance(node, dict):
                if in_list and isinstance(node.get("id"), int):
                    self.ids.setdefault(collection, set()).add(node["id"])
                for value in node.values():
                    walk(value, False)
            elif isinstance(node, list):
                for value in node:
                    walk(value, True)
            elif isinstance(node, str) and node.startswith(("/", "http://testserver/")):
                self.add(node, base=url)

        walk(body, False)
        if isinstance(body, dict) and isinstance(body.get("pages"), int):
            for page in range(2, min(body["pages"], 3) + 1):
                self.add(f"{path}?page={page}")

    def _html(self, url: str, text: str) -> None:
        page = _Html()
        page.feed(text)
        for link, hx in page.links:
            self.add(link, hx=hx, base=url)
        for form in page.forms:
            action = form["action"] or urlsplit(url).path
            if action in self.forms_done:
                continue
            self.forms_done.add(action)
            defaults = {f["name"]: f["value"] for f in form["fields"] if f["type"] not in ("submit", "button")}
            self.add(f"{action}?{urlencode(defaults)}", base=url)
            if not self.searches:
                continue
            tries: list[tuple[dict[str, str], tuple[str, ...]]] = []
            for f in form["fields"]:
                if f["type"] in ("text", "search"):
                    tries += [({f["name"]: term}, (term,)) for term in SEARCH_TERMS]
            for f in form["fields"]:
                if f["type"] == "select":
                    options = [o for o in f["options"] if o][:OPTIONS_TRIED]
                    options += ["Podravska"] if "Podravska" in f["options"] else []  # where the people live
                    tries += [({f["name"]: o}, ()) for o in dict.fromkeys(options)]
            # The candidate filters in full; other pages' forms (directory, network) a sample.
            for query, masked in tries if action.startswith("/employers") else tries[:FORM_SAMPLE]:
                self.add(f"{action}?{urlencode(query)}", base=url, masked=masked, force=True)


# --- checking -----------------------------------------------------------------------------------


def _year(year: int) -> re.Pattern[str]:
    # A year on its own, not a run of digits inside a token, a number or a coordinate.
    return re.compile(rf"(?<![\w.+\-/]){year}(?![\w\-]|\.\d)")


CODE = re.compile(r"(?<![\w\-])P-[A-Z0-9]{6}(?![\w\-])")
PSEUDONYM = re.compile(r"(?<![\w\-])K-[A-Z0-9]{6}(?![\w\-])")


def _haystack(seen: Seen) -> str:
    text = seen.text + "\n" + html.unescape(seen.text) + "\n" + unquote_plus(seen.text)
    if seen.text.lstrip().startswith(("{", "[")):
        try:
            text += "\n" + json.dumps(json.loads(seen.text), ensure_ascii=False)
        except ValueError:
            pass
    for term in seen.masked:
        text = re.sub(re.escape(term), "\u2591", text, flags=re.IGNORECASE)
    return text


def person_facing(path: str) -> bool:
    """Pages about people, where the place of a past placement would identify: not the public directory."""
    return (
        path == "/"
        or path.startswith(("/employers", "/introductions", "/referrals", "/notifications", "/cases"))
        or path.endswith("/candidates")
        or path.endswith("/candidates/")
    )


@dataclass
class Secrets:
    strings: list[tuple[str, str]]  # (label, text): must appear nowhere
    places: list[tuple[str, str]]  # must not appear on person-facing pages
    years: list[tuple[str, str, re.Pattern[str]]]
    codes: dict[str, str]  # case code -> person tag


def secrets_of(world: World, codes: dict[int, str]) -> Secrets:
    strings: list[tuple[str, str]] = []
    years = []
    for i, p in enumerate(PEOPLE):
        d = details(i, p)
        who = f"{p.tag} ({p.first})"
        strings += [
            (f"{who} first name", p.first),
            (f"{who} last name", p.last),
            (f"{who} name", f"{p.first} {p.last}"),
            (f"{who} phone", d["phone"]),
            (f"{who} phone digits", re.sub(r"\D", "", d["phone"])),
            (f"{who} email", d["email"]),
            (f"{who} address", d["address"]),
            (f"{who} municipality", d["municipality"]),
            (f"{who} latitude", f"{d['latitude']}"),
            (f"{who} longitude", f"{d['longitude']}"),
        ]
        strings += [(f"{who} {label}", text) for label, text in texts(p).items()]
        years.append((f"{who} birth year", str(p.born), _year(p.born)))
    strings += [("an address", "Xylofonska"), ("a municipality", "Qwertovnica"), ("an e-mail domain", "leak.example")]
    strings += [
        (f"{kind} of someone", f"{kind.upper()}-SECRET")
        for kind in ("note", "plan", "stage", "consent", "override", "referral")
    ]
    strings += [("a profiling phrase", phrase) for phrase in SENSITIVE_PHRASES]
    places = [("the secret host's name", SECRET_HOST), ("the secret placement's title", SECRET_PLACE)]
    tags = {pid: tag for tag, pid in world.ids.items()}
    return Secrets(strings, places, years, {code: tags[pid] for pid, code in codes.items()})


def check(
    who: str,
    crawls: list[Crawl],
    secrets: Secrets,
    own: dict[str, int],
    others: dict[str, int],
    allowed: dict[str, set[str]],
    known: set[int],
    failures: list[tuple[str, str]],
) -> None:
    """Every body against every secret.

    ``own``/``others``: pseudonym -> participant id, for this employer and the other one;
    ``allowed``: path -> labels that may appear there (the shared contact of an accepted introduction);
    ``known``: participants this employer may know by a pseudonym (the pool, people referred to it).
    """
    verdicts: dict[tuple[str, tuple[str, ...], bool, frozenset[str], bool], list[str]] = {}
    for crawl in crawls:
        for seen in crawl.seen:
            path = urlsplit(seen.url).path
            key = (seen.text, seen.masked, person_facing(path), frozenset(allowed.get(path, ())), seen.probe)
            if key not in verdicts:  # many bodies repeat; judge each once
                verdicts[key] = _leaks(seen, secrets, own, others, allowed.get(path, set()), known, key[2])
            failures += [(f"{who} GET {seen.url}", what) for what in verdicts[key]]


def _leaks(
    seen: Seen,
    secrets: Secrets,
    own: dict[str, int],
    others: dict[str, int],
    ok: set[str],
    known: set[int],
    about_people: bool,
) -> list[str]:
    hay = _haystack(seen)
    lower = hay.lower()
    found = [
        f"{label}: {text!r}"
        for label, text in secrets.strings + (secrets.places if about_people else [])
        if label not in ok and text.lower() in lower
    ]
    found += [label for label, year, pattern in secrets.years if year in hay and pattern.search(hay)]
    if "P-" in hay:
        found += [f"case code {code} of {secrets.codes.get(code, 'nobody known')}" for code in set(CODE.findall(hay))]
    for name in set(PSEUDONYM.findall(hay)) if "K-" in hay else ():
        if name in others:
            found.append(f"the other employer's pseudonym {name}")
        elif name not in own:
            found.append(f"a pseudonym {name} this employer was never given")
        elif own[name] not in known:
            found.append(f"the pseudonym {name} of someone outside the pool")
    if not seen.probe and "/cases/" in hay and re.search(r"/cases/\d+", hay):
        found.append("a link to a case file")
    return found


# --- the test -----------------------------------------------------------------------------------


@asynccontextmanager
async def serving_pool() -> AsyncIterator[None]:
    """A PostgreSQL connection pool, as the serving app opens at startup (the ASGI transport runs no
    lifespan): a connection per query would make this crawl several times slower. SQLite: nothing."""
    opened = isinstance(DB, PostgresEngine) and DB.pool is None
    if opened:
        await open_pool(DB)
    try:
        yield
    finally:
        if opened:
            await close_pool(DB)


@asynccontextmanager
async def another_client(app: Any, port: int) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", port))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


STARTS = (
    "/",
    "/employers/candidates",
    "/introductions/",
    "/notifications/",
    "/referrals/inbox",
    "/opportunities/",
    "/opportunities/mine",
    "/network/",
    "/organisations/",
    "/schema/openapi.json",
    "/health",
)


async def crawl_as(client: httpx.AsyncClient, world: World, firm: str, searches: bool, focus: bool = False) -> Crawl:
    """Everything ``firm``'s employer user reaches; with ``searches``, filters and search boxes too;
    with ``focus``, only the pages about people."""
    crawl = Crawl(client, searches=searches, focus=focus)
    own_job = world.jobs[firm]
    starts = [url for url in STARTS if not focus or person_facing(url)]
    own = [
        f"/opportunities/{own_job}",
        f"/opportunities/{own_job}/edit",
        f"/organisations/{world.firms[firm]}",
        f"/api/v1/opportunities?organisation_id={world.firms[firm]}",
    ]
    await crawl.run([*starts, "/opportunities/mine", *own])
    crawl.add(f"/opportunities/{own_job}/candidates", hx=True, force=True)
    for query in (
        {"fit": str(own_job)},
        {"fit": str(own_job), "skill": "sorting"},
        {"region": "Podravska"},
        {"hours_min": "21", "hours_max": "23"},
        {"page": "2"},
    ):
        crawl.add(f"/employers/candidates?{urlencode(query)}", hx=True, force=True)
    for org in sorted(crawl.ids.get("organisations", ())) if searches else ():
        crawl.add(f"/network/panel/{org}", hx=True)  # the graph's side panel, loaded by script
    await crawl.run([])
    assert not crawl.queue, f"the crawl stopped at {crawl.cap} requests with {len(crawl.queue)} left"
    return crawl


async def probe(client: httpx.AsyncClient, world: World) -> list[Seen]:
    """Typing the URLs of records the employer has no part in: refused, with nothing in the refusal."""
    urls = [
        *(f"/cases/{pid}{tail}" for pid in world.ids.values() for tail in ("", "/placements")),
        *(f"/referrals/{r}" for r in world.secret_referrals),
        "/cases/",
        "/audit/",
        *(f"/introductions/{i['id']}" for i in await Introduction.select(Introduction.id)),
    ]
    seen = []
    for url in urls:
        response = await client.get(url)
        seen.append(Seen(url, response.status_code, response.text, probe=True))
        if not url.startswith("/introductions/"):
            assert response.status_code in (403, 404), (url, response.status_code)
    return seen


async def skill_searches(client: httpx.AsyncClient, terms: Iterable[str]) -> list[Seen]:
    """A name, place, note or code typed as a skill finds nobody."""
    seen = []
    for n, term in enumerate(terms):
        url = f"/employers/candidates?{urlencode({'skill': term})}"
        response = await client.get(url, headers={"HX-Request": "true"} if n % 2 else {})
        assert response.status_code == 200
        count = re.search(r'class="result-count"[^>]*>\s*([^<]*?)\s*<', response.text)
        assert count and count.group(1) == "0 candidates", (term, count and count.group(1))
        seen.append(Seen(url, response.status_code, response.text, masked=(term,)))
    return seen


def _pseudonyms(rows: list[dict[str, Any]], firm: int) -> dict[str, int]:
    return {r["pseudonym"]: r["participant"] for r in rows if r["organisation"] == firm}


async def test_no_employer_page_or_api_shows_who_a_candidate_is(app, client, make_org, make_user):
    async with serving_pool():
        await walk_everything(app, client, make_org, make_user)


async def walk_everything(app, client, make_org, make_user) -> None:
    world = await build_world(make_org, make_user)
    codes = {r["id"]: r["code"] for r in await Participant.select(Participant.id, Participant.code)}
    async with another_client(app, 50001) as boss_b, another_client(app, 50002) as counsellor:
        boss_a = client
        for c, username in ((boss_a, "boss-a"), (boss_b, "boss-b"), (counsellor, "ana")):
            await login(c, username)
        crawls = {"A": [await crawl_as(boss_a, world, "A", searches=True)], "B": []}
        terms = [
            *(name for p in PEOPLE if p.in_pool for name in (p.first, p.last)),
            PEOPLE[4].first,
            "Xylofonska",
            "Qwertovnica",
            "NOTE-SECRET",
            "PLAN-SECRET",
            "leak.example",
            "1937",
            "Secret",
            SECRET_PLACE,
            codes[world.ids["A"]],
        ]
        crawls["A"][0].seen += await skill_searches(boss_a, terms)

        # A asks to meet person A (who agreed to contact by employers) and person B (who did not);
        # B asks to meet person A too. The lead counsellor accepts A's requests.
        async def ask(c: httpx.AsyncClient, firm: str, tag: str) -> int:
            pseudonym = (await pool.pseudonyms_for(world.firms[firm], [world.ids[tag]]))[world.ids[tag]]
            response = await post_form(
                c,
                f"/employers/candidates/{pseudonym}/introductions",
                {"message": "We would like to meet about our opening.", "opportunity_id": str(world.jobs[firm])},
            )
            assert response.status_code == 303, response.text[:400]
            return int(response.headers["location"].rsplit("/", 1)[1])

        with_contact, without_contact = await ask(boss_a, "A", "A"), await ask(boss_a, "A", "B")
        await ask(boss_b, "B", "A")
        for introduction in (with_contact, without_contact):
            answered = await post_form(
                counsellor,
                f"/introductions/{introduction}/answer",
                {"decision": "accept", "reason": "Meet at the centre on Monday at nine."},
            )
            assert answered.status_code == 303
        rows = await Introduction.select(Introduction.id, Introduction.status, Introduction.contact_shared)
        assert {(r["id"], r["contact_shared"]) for r in rows if r["status"] == "accepted"} == {
            (with_contact, True),
            (without_contact, False),
        }

        crawls["A"].append(await crawl_as(boss_a, world, "A", searches=False, focus=True))
        # The directory, network and API read the same for every employer, and A has read them all.
        crawls["B"].append(await crawl_as(boss_b, world, "B", searches=False, focus=True))
        for firm, c in (("A", boss_a), ("B", boss_b)):
            crawls[firm][-1].seen += await probe(c, world)

        # Each employer's pseudonyms mean nothing to the other: 404, even to ask to meet.
        names = await CandidatePseudonym.select(
            CandidatePseudonym.organisation, CandidatePseudonym.participant, CandidatePseudonym.pseudonym
        )
        mine = {k: _pseudonyms(names, world.firms[k]) for k in ("A", "B")}
        refused = []
        for c, other in ((boss_a, "B"), (boss_b, "A")):
            token = await csrf_token(c, "/introductions/")
            for pseudonym in mine[other]:
                refused.append((await c.get(f"/employers/candidates/{pseudonym}")).status_code)
                refused.append(
                    (
                        await c.post(
                            f"/employers/candidates/{pseudonym}/introductions",
                            data={"message": "Hello", "_csrf_token": token},
                        )
                    ).status_code
                )
        for introduction in (with_contact, without_contact):
            refused.append((await boss_b.get(f"/introductions/{introduction}")).status_code)
        assert set(refused) == {404}, refused

    # The crawl reached what it is meant to check, else a clean result would mean nothing.
    reached = {s.url for c in crawls["A"] for s in c.seen if s.status == 200}
    for expected in (
        "/employers/candidates",
        f"/introductions/{with_contact}",
        f"/introductions/{without_contact}",
        f"/referrals/{world.referral_to_a}",
        f"/opportunities/{world.jobs['A']}/candidates",
        "/api/v1/opportunities",
        f"/api/v1/opportunities/{world.jobs['A']}",
        "/notifications/",
    ):
        assert expected in reached, expected
    profiles = {u for u in reached if re.fullmatch(r"/employers/candidates/K-[A-Z0-9]{6}", u)}
    assert profiles == {f"/employers/candidates/{n}" for n, pid in mine["A"].items() if pid in await pool.pool_ids()}
    reached_b = {s.url for s in crawls["B"][0].seen if s.status == 200}
    assert {u for u in reached_b if u.startswith("/employers/candidates/K-")} == {
        f"/employers/candidates/{n}" for n, pid in mine["B"].items() if pid in await pool.pool_ids()
    }
    contact_page = next(s.text for s in crawls["A"][1].seen if s.url == f"/introductions/{with_contact}")
    assert "Zebulonka Qwertyjeva" in contact_page and _phone(0) in contact_page  # the check would see a leak
    fragment = next(s.text for s in crawls["A"][0].seen if s.url == f"/opportunities/{world.jobs['A']}/candidates")
    assert "/employers/candidates/K-" in fragment  # suggestions for the job, under A's pseudonyms
    name_of_a = next(n for n, pid in mine["A"].items() if pid == world.ids["A"])
    profile_a = next(s.text for s in crawls["A"][1].seen if s.url == f"/employers/candidates/{name_of_a}")
    assert "Work trial" in profile_a and "10 weeks" in profile_a  # kind and length of the placement, not where

    secrets = secrets_of(world, codes)
    failures: list[tuple[str, str]] = []
    person = f"A ({PEOPLE[0].first})"
    shared = {
        f"/introductions/{with_contact}": {
            f"{person} first name",
            f"{person} last name",
            f"{person} name",
            f"{person} phone",
            f"{person} phone digits",
            f"{person} email",
            "an e-mail domain",
        }
    }
    pool_members = {world.ids[p.tag] for p in PEOPLE if p.in_pool}
    referred = {"A": {world.ids["G"], world.ids["B"]}, "B": set()}  # people referred to the employer's job
    for firm, other in (("A", "B"), ("B", "A")):
        check(
            f"employer {firm}",
            crawls[firm],
            secrets,
            mine[firm],
            mine[other],
            shared if firm == "A" else {},
            pool_members | referred[firm],
            failures,
        )
    requests = sum(len(c.seen) for cs in crawls.values() for c in cs)
    unique = sorted(set(failures))
    report = "\n".join(f"  {url}  ->  {what}" for url, what in unique[:80])
    assert not unique, f"{len(unique)} leaks in {requests} responses:\n{report}"
