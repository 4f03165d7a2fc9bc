"""Audit: change log for every service write, domain events, personal-data read log. Append-only."""
