"""Calendar feeds: a pure iCal serializer (ics.py), feed tokens and versions
(models.py, service/), what a feed shows (content/), the polls answered
before Flask (serving.py) and the pages (views.py)."""
