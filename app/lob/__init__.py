"""The loopbaandossier sheet of a booking: what the pupils prepare, look for
and reflect on, on paper (a PDF for the class) and on a phone (a page that
stores nothing)."""
