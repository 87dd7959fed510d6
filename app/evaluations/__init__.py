"""Evaluations: after a booking took place, the school and the company each say
how it went ("evaluatie")."""
