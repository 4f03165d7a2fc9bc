"""Test support shared by every app: an org tree, users per role, service guards, factories."""
