"""Accounts, roles, sessions, login throttling and route guards."""
