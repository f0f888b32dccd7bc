"""Each event's VEVENT, serialised once and kept: feeds join bytes instead of rebuilding them.

icalendar writes some 5-7 k events a second, a plain join of the same bytes ~100 k: a feed
of the whole agenda rebuilt on every poll would cost seconds. `CalendarEntry` holds the
VEVENT text exactly as icalendar writes it (CRLF line ends, lines folded at 75 octets),
with what it was built from, so a feed can tell a fresh fragment from a stale one without
loading the pages (events/ical/fragments.py; docs/decisions.md).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Raised whenever events/ical/components.py writes a VEVENT differently: every stored
# fragment then counts as stale and is rebuilt on the next feed that lists it.
FORMAT_VERSION = 1


class CalendarEntry(models.Model):
    event = models.OneToOneField(
        "events.EventPage",
        verbose_name=_("événement"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="calendar_entry",
    )
    vevent = models.TextField(_("VEVENT sérialisé"))
    # What the fragment was built from: the page's last publication, the full URL it was
    # given (a moved page or a renamed site changes it), and the module's format.
    last_modified = models.DateTimeField(_("publication source"), null=True)
    url = models.CharField(_("adresse"), max_length=500, blank=True)
    format_version = models.PositiveSmallIntegerField(_("version du format"), default=FORMAT_VERSION)

    class Meta:
        verbose_name = _("fragment de calendrier")
        verbose_name_plural = _("fragments de calendrier")

    def __str__(self):
        return f"VEVENT {self.event_id}"
