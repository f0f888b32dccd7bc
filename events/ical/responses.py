"""A calendar document as an HTTP answer that calendar applications can poll cheaply.

Subscribed calendars ask every few hours. The ETag (a hash of the bytes, which are the
same for the same data: no "now" anywhere in them) and Last-Modified let them ask "has it
changed?" and get an empty 304 when it has not (RFC 9110, 13.2.2).
"""

import datetime as dt
import hashlib

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.http import http_date

# Calendar applications poll every hour or so: something changed in the morning is there
# by lunchtime, and an unchanged poll costs a 304.
FEED_MAX_AGE = 15 * 60


def calendar_response(
    request,
    body: bytes,
    *,
    filename: str,
    last_modified: dt.datetime | None = None,
    private: bool = False,
    attachment: bool = False,
):
    """200 with the document, or 304 when the client's copy is current.

    `last_modified` only where nothing can leave the calendar without a later date
    somewhere (a withdrawn sign-up cannot): otherwise If-Modified-Since would answer 304
    wrongly, and the ETag alone decides. Private feeds (an address holding a token) are
    not stored by shared caches nor indexed.
    """
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    response["Cache-Control"] = f"{'private' if private else 'public'}, max-age={FEED_MAX_AGE}"
    response = get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response
