"""Stored VEVENTs deleted when what they show changes outside their page's publication.

A fragment (events/models/calendar.py) is rebuilt by the next feed that misses it. A
page saved in any way (published, cancelled by a service, edited in a script) drops its
own; a venue or a commune renamed drops those of its events.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from events.models import CalendarEntry, EventPage
from territory.models import Commune, Venue


@receiver(post_save, dispatch_uid="events.ical.page_saved")
def page_saved(sender, instance, **kwargs):
    # Sent with the concrete class (ThematicBreakfastPage...) as sender, so no sender filter.
    if isinstance(instance, EventPage) and instance.pk:
        CalendarEntry.objects.filter(event_id=instance.pk).delete()


@receiver(post_save, sender=Venue, dispatch_uid="events.ical.venue_saved")
def venue_saved(sender, instance, created, **kwargs):
    if not created:
        CalendarEntry.objects.filter(event__venue=instance).delete()


@receiver(post_save, sender=Commune, dispatch_uid="events.ical.commune_saved")
def commune_saved(sender, instance, created, **kwargs):
    if not created:
        CalendarEntry.objects.filter(event__commune=instance).delete()
