"""Funds and their rounds (calls for applications)."""
