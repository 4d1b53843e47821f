"""The words the suggestion pages show for the matching library's codes: its notes and the score's parts."""

from __future__ import annotations

from portal.i18n import gettext as _


def note_texts() -> dict[str, str]:
    """The library's note codes (``matching.NOTES``) in the reader's language."""
    return {
        "empty_profile": _(
            "Not enough information to rank: the profile lists no skills, interests or support "
            "needs, so these only pass the hard constraints and are not ordered by fit."
        ),
        "low_confidence": _("Less than half of the score rests on data from both sides; treat the order with care."),
        "no_skills_on_profile": _("The profile lists no skills, so skills are not scored."),
        "no_skills_listed": _("The opportunity lists no skills, so skills are not scored."),
        "no_interests_on_profile": _("The profile lists no interests or sectors."),
        "no_sectors_listed": _("The opportunity lists no sector."),
        "distance_unknown": _("A location is missing, so distance is not scored."),
        "hours_unknown": _("Weekly hours are missing on one side, so hours are not scored."),
        "no_support_wanted": _("No particular support is needed."),
    }


def component_labels() -> dict[str, str]:
    return {
        "skill": _("Skills"),
        "interest": _("Interests and sectors"),
        "distance": _("Distance"),
        "hours": _("Hours per week"),
        "support": _("Support offered"),
    }
