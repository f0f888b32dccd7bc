"""The volunteers' pages, one module per concern:

accounts.py               sign-up, confirmation, profile, away periods, RGPD rights, shifts
missions.py               missions for a volunteer, applying, answering proposals
organisation_missions.py  an organisation's contacts post missions and answer applications
calendar.py               the volunteer's private calendar feed
map.py                    /benevolat/carte/: missions and offers per commune
presence.py               the badge's QR code, scanned by staff at the shift
"""
