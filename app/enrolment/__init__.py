"""Pupil numbers per school location and school year, per class year, learning
path and profile: what coverage in pupils is counted against."""
