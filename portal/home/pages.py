"""The front page: what the portal is and the way in for visitors; each signed-in user's day."""

from litestar import Request, get
from litestar.response import Template

from portal.auth.guards import current_user
from portal.home.view import home_view
from portal.web.client import client_address
from portal.web.templating import render


@get("/", name="home", opt={"access": "public"}, include_in_schema=False)
async def home(request: Request) -> Template:
    page = await home_view(current_user(request), client_address(request))
    if page.day is not None:
        return render(request, "home/my_day.html", {"day": page.day})
    return render(request, "home.html", {"counts": page.counts})
