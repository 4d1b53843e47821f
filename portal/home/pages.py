"""The front page: what the portal is and the way in for visitors; each signed-in user's day."""

from litestar import Request, get
from litestar.response import Template

from portal.auth.guards import current_user
from portal.home.view import day_view, portal_counts
from portal.web.client import client_address
from portal.web.templating import render


@get("/", name="home", opt={"access": "public"}, include_in_schema=False)
async def home(request: Request) -> Template:
    user = current_user(request)
    if user is not None:
        return render(request, "home/my_day.html", {"day": await day_view(user, client_address(request))})
    return render(request, "home.html", {"counts": await portal_counts()})
