"""Matching supply and demand: ranked suggestions with reasons, and the
coordinators' mismatch figures."""
