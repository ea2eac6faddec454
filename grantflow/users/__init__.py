"""Accounts, roles, sign-in and invitations."""
