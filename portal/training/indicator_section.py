"""The training section of the indicators page (events held, attendances, staff trained), and its target measure."""

from __future__ import annotations

from portal.i18n import gettext as _
from portal.i18n import lazy_gettext as _l
from portal.indicators.filters import Filters
from portal.indicators.measures import Measure, register_measure
from portal.indicators.model import Column, IndicatorTable, Section, people, register
from portal.training import indicators


async def build(f: Filters) -> list[IndicatorTable]:
    months = await indicators.over_time(f)
    regions = await indicators.regions_in(f)
    return [
        IndicatorTable(
            key="training_months",
            title=_("Training: events held and staff trained per month"),
            columns=[
                Column("month", _("Month"), "label"),
                Column("events", _("Events held"), "count"),
                Column("attendances", _("Attendances")),
                Column("newly_trained", _("Staff trained for the first time")),
                Column("trained", _("Staff trained in all")),
            ],
            rows=[
                [m["month"], m["events"], people(m["attendances"]), people(m["newly_trained"]), people(m["trained"])]
                for m in months
            ],
            chart="line",
            series=["events", "newly_trained"],
            note=_("Trained: attended at least one training module. Each person counts once."),
        ),
        IndicatorTable(
            key="training_regions",
            title=_("Training: staff who completed a module, by region"),
            columns=[
                Column("region", _("Region"), "label"),
                Column("people", _("Staff trained")),
                Column("institutions", _("Institutions"), "count"),
            ],
            rows=[
                [
                    f"{row['region']} ({row['country']})" if row["region"] else _("Institution not known"),
                    people(row["people"]),
                    int(row["institutions"]),
                ]
                for row in regions
            ],
            chart="hbar",
        ),
    ]


SECTION = register(Section("training", lambda: _("Staff training"), build))
register_measure(
    indicators.TARGET_INDICATOR, Measure(_l("Staff trained (completed a training module)"), indicators.trained_in)
)
