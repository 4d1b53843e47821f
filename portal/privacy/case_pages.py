"""The case page of a pseudonymised case: the code and the facts that remain, nothing to change."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from portal.cases.profiling import SUPPORT_LEVELS
from portal.cases.services import CaseAccess
from portal.privacy.erasure import reason_label
from portal.referrals import services as referrals
from portal.referrals.flow import STATUSES
from portal.vocab import STAGES
from portal.web.templating import render


async def pseudonymised_page(request: Request, case: dict[str, Any], access: CaseAccess) -> Template:
    context = {
        "case": case,
        "access": access,
        "stages": STAGES,
        "support_levels": SUPPORT_LEVELS,
        "referrals": await referrals.referrals_of(case["id"]),
        "referral_statuses": STATUSES,
        "reason_label": reason_label,
    }
    return render(request, "privacy/pseudonymised_case.html", context)
