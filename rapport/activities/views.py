"""The plain pages of activities: the internet calendar (public, by secret token), one activity as
an `.ics` download, and an activity's address (it opens the record it is about). The calendar
pages themselves come with the schedule views."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.request import split_domain_port
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import parse_etags, quote_etag
from django.views.decorators.http import require_GET

from rapport.activities import ical
from rapport.activities.models import Activity, ActivityType
from rapport.activities.recurrence import zone
from rapport.activities.selectors import activity_get, feed_rows, window_parts
from rapport.activities.services import feed_user
from rapport.core.models import User
from rapport.web.utils import fetch

#: what the feed serves: from this many days back to this many ahead
FEED_DAYS_BACK = 90
FEED_DAYS_AHEAD = 365
ICS = "text/calendar; charset=utf-8"


def _host(request: HttpRequest) -> str:
    domain, _port = split_domain_port(request.get_host())
    return domain or "rapport"


def feed_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    today = (now or timezone.now()).astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - dt.timedelta(days=FEED_DAYS_BACK), today + dt.timedelta(days=FEED_DAYS_AHEAD + 1)


def feed_etag(user: User, start: dt.datetime, end: dt.datetime, host: str) -> str:
    """Changes whenever the feed's content may: any of the user's activities in the window added,
    changed, deleted or moved out of it (an edit moves `updated_at`, an addition the highest id, a
    deletion the count), a type renamed, the window moved to another day, the user's name or
    language changed. Only the window's activities are read (through the calendar's index), not
    the years of history a salesperson accumulates."""
    mine = [  # timed ones and tasks apart, each through its index (see `selectors.happening`)
        Activity.objects.filter(owner=user).filter(part).aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
        for part in window_parts(start, end)
    ]
    types = ActivityType.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    parts = [user.pk, str(user), user.language, start.date(), host, mine, types]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """`/calendar/<token>.ics`: the user's activities from 90 days back to a year ahead."""
    user = feed_user(token)
    if user is None:
        raise Http404
    host = _host(request)
    start, end = feed_window()
    with timezone.override(zone(user.time_zone)):  # tasks' due days are read in the user's zone
        etag = quote_etag(feed_etag(user, start, end, host))
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        with translation.override(user.language), timezone.override(zone(user.time_zone)):
            body = ical.calendar(
                feed_rows(user=user, start=start, end=end),
                host=host,
                absolute=request.build_absolute_uri,
                name=f"Rapport · {user}",
            )
        response = HttpResponse(body, content_type=ICS)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def activity_ics(request: HttpRequest, activity_id: int) -> HttpResponse:
    """One activity as an `.ics` file (for a calendar program), if the user may see it."""
    assert isinstance(request.user, User)
    activity = fetch(activity_get, actor=request.user, activity_id=activity_id)
    body = ical.calendar([activity], host=_host(request), absolute=request.build_absolute_uri)
    response = HttpResponse(body, content_type=ICS)
    response["Content-Disposition"] = f'attachment; filename="activity-{activity.pk}.ics"'
    return response


@login_required
@require_GET
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    """An activity's address: the page of the record it is about (else its `.ics`)."""
    assert isinstance(request.user, User)
    activity = fetch(activity_get, actor=request.user, activity_id=activity_id)
    return redirect(ical.related_path(activity) or reverse("activities:activity_ics", args=[activity.pk]))
