"""Applicant governments: cities, counties, states, tribal nations, territories."""
