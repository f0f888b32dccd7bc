"""Volunteer offers, missions and shifts: see issue "Volunteers" (not built yet)."""
