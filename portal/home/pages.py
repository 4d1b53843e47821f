"""The front page: what the portal is and the way in for visitors; each signed-in user's day."""

from litestar import Request, get
from litestar.response import Template

from portal.audit import services as audit
from portal.auth.guards import current_user
from portal.db.tables import Organisation, Relationship
from portal.home.my_day import my_day
from portal.web.templating import render


@get("/", name="home", opt={"access": "public"}, include_in_schema=False)
async def home(request: Request) -> Template:
    user = current_user(request)
    if user is not None:
        day = await my_day(user)
        # Plan steps are case content: audited as the case page audits reading the case.
        await audit.record_many(request, user, "read", "participant", day.shown_participants, "home page")
        return render(request, "home/my_day.html", {"day": day})
    counts = {
        "organisations": await Organisation.count(),
        "relationships": await Relationship.count(),
        "countries": len(await Organisation.select(Organisation.country).distinct()),
    }
    return render(request, "home.html", {"counts": counts})
