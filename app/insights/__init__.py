"""Insights: reach, coverage and evaluation figures for coordinators, schools
and companies; their charts and exports."""
