"""Calendar feeds: a pure iCal serializer (ics.py), feed tokens and versions
(models.py, service.py), what a feed shows (content.py) and the pages (views.py)."""
