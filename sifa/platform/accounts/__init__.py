"""Accounts: one login for every subsystem, roles, permissions, TOTP, session timeout."""
