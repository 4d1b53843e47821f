"""Certificates of attendance for training modules: who may have one, and the PDF in the attendee's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.db.engine import as_utc
from portal.db.tables import TrainingRegistration
from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES, format_date, use_language
from portal.i18n import gettext as _
from portal.training import services
from portal.training.kinds import LOCAL_ZONE

FONTS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "fonts"


__all__ = ["Certificate", "NotFound", "Refused", "certificate_for", "number", "render_pdf"]


class NotFound(Exception):
    """No such registration, or no certificate for it: not an attendee of a module."""


class Refused(Exception):
    """The reader is neither the attendee, nor a coordinator, nor one of the event's organisers."""


@dataclass(frozen=True)
class Certificate:
    """What a certificate says; made only for a registration that earns one."""

    registration_id: int
    event_id: int
    user_id: int | None
    name: str
    organisation: str
    language: str
    event: dict[str, Any]
    issued_on: dt.date


def earns_certificate(registration: dict[str, Any], event: dict[str, Any]) -> bool:
    """Attended a module: attendance recorded as present, at an event of kind module, place not cancelled."""
    return registration["attended"] is True and event["kind"] == "module" and registration["status"] != "cancelled"


async def certificate_for(registration_id: int, reader: CurrentUser) -> Certificate:
    """The certificate of one registration, if it earns one and ``reader`` may see it.

    Raises NotFound (no registration, or not an attended module: the same answer, so a refusal says
    nothing about who attended what) and Refused."""
    row = (
        await TrainingRegistration.select(
            TrainingRegistration.id,
            TrainingRegistration.event,
            TrainingRegistration.user,
            TrainingRegistration.status,
            TrainingRegistration.attended,
            TrainingRegistration.attendance_recorded_at,
            TrainingRegistration.name,
            TrainingRegistration.organisation_name,
            TrainingRegistration.language,
            TrainingRegistration.organisation.name.as_alias("organisation_of_record"),
            TrainingRegistration.user.display_name.as_alias("user_name"),
            TrainingRegistration.user.language.as_alias("user_language"),
            TrainingRegistration.user._.organisation.name.as_alias("user_organisation"),
        )
        .where(TrainingRegistration.id == registration_id)
        .first()
    )
    if row is None:
        raise NotFound(registration_id)
    try:
        event = await services.get_event(row["event"])
    except services.NotFound:
        raise NotFound(registration_id) from None
    own = row["user"] is not None and row["user"] == reader.id
    if not (own or services.can_organise(reader, event)):
        raise Refused(registration_id)
    if not earns_certificate(row, event):
        raise NotFound(registration_id)
    language = next(
        (code for code in (row["language"], row["user_language"], event["language"]) if code in LANGUAGES),
        DEFAULT_LANGUAGE,
    )
    recorded = row["attendance_recorded_at"]
    return Certificate(
        registration_id=row["id"],
        event_id=event["id"],
        user_id=row["user"],
        name=row["user_name"] or row["name"],
        organisation=row["organisation_of_record"] or row["user_organisation"] or row["organisation_name"] or "",
        language=language,
        event=event,
        issued_on=(as_utc(recorded) if recorded else event["ends_at"]).astimezone(LOCAL_ZONE).date(),
    )


def number(certificate: Certificate) -> str:
    """The certificate's reference, printed on it so an employer can ask the organisers about it."""
    return f"TR-{certificate.event_id}-{certificate.registration_id}"


def _lines(certificate: Certificate) -> dict[str, str]:
    """The certificate's texts in the current language."""
    event = certificate.event
    starts, ends = (event[key].astimezone(LOCAL_ZONE) for key in ("starts_at", "ends_at"))
    if starts.date() == ends.date():
        when = format_date(starts, "long")
    else:
        when = _("%(start)s to %(end)s") % {"start": format_date(starts, "long"), "end": format_date(ends, "long")}
    if event["online"]:
        where = _("online")
    else:
        where = ", ".join(part for part in (event["place_name"], event["municipality"]) if part)
    if event.get("module_number") and event.get("programme_title"):
        module = _("Module %(number)s of the programme “%(programme)s”") % {
            "number": event["module_number"],
            "programme": event["programme_title"],
        }
    elif event.get("programme_title"):
        module = _("A module of the programme “%(programme)s”") % {"programme": event["programme_title"]}
    else:
        module = _("Training module")
    organisers = ", ".join(org["name"] for org in event["organisers"])
    return {
        "heading": _("Certificate of attendance"),
        "intro": _("This is to certify that"),
        "name": certificate.name,
        "organisation": certificate.organisation,
        "attended": _("attended the training module"),
        "title": event["title"],
        "module": module,
        "when": _("held on %(date)s, %(place)s") % {"date": when, "place": where} if where else when,
        "topics": _("Topics: %(topics)s") % {"topics": event["topics"]} if event.get("topics") else "",
        "organisers": _("Organised by: %(organisers)s") % {"organisers": organisers} if organisers else "",
        "issued": _("Issued on %(date)s") % {"date": format_date(certificate.issued_on, "long")},
        "number": _("Certificate number: %(number)s") % {"number": number(certificate)},
    }


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 landscape PDF, written in the certificate's language with the DejaVu font
    (it has every letter of Slovenian and Croatian: č, ć, đ, š, ž)."""
    # Imported when a PDF is first asked for: fpdf and the font tools it loads are 32 MB that every
    # web worker would otherwise hold from its start.
    from fpdf import FPDF

    with use_language(certificate.language):
        text = _lines(certificate)
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{text['heading']}: {certificate.name}")
    pdf.set_lang(certificate.language)
    pdf.set_creator("Activation portal")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(8, 59, 106)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    def line(value: str, size: float, *, bold: bool = False, gap: float = 4) -> None:
        if not value:
            return
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, value, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_left_margin(25)
    pdf.set_right_margin(25)
    pdf.set_y(28)
    line(text["heading"], 28, bold=True, gap=10)
    line(text["intro"], 13)
    line(text["name"], 22, bold=True, gap=2)
    line(text["organisation"], 13, gap=6)
    line(text["attended"], 13)
    line(text["title"], 17, bold=True, gap=2)
    line(text["module"], 12, gap=4)
    line(text["when"], 12)
    line(text["topics"], 10, gap=2)
    line(text["organisers"], 10)
    pdf.set_y(pdf.h - 38)
    line(text["issued"], 10, gap=1)
    line(text["number"], 9, gap=0)
    return bytes(pdf.output())
