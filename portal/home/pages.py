"""The front page: what the portal is, and the way in for each kind of user."""

from litestar import Request, get
from litestar.response import Template

from portal.db.tables import Organisation, Relationship
from portal.web.templating import render


@get("/", name="home", opt={"access": "public"}, include_in_schema=False)
async def home(request: Request) -> Template:
    counts = {
        "organisations": await Organisation.count(),
        "relationships": await Relationship.count(),
        "countries": len(await Organisation.select(Organisation.country).distinct()),
    }
    return render(request, "home.html", {"counts": counts})
