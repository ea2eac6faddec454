"""Webhooks: an administrator registers a URL and the events it wants; each
event is posted there as signed JSON by a background job (issue 18.4)."""
