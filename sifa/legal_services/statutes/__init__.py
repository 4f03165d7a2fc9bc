"""Statute browser: law list, article pages, search (texts from the shared statute data)."""
