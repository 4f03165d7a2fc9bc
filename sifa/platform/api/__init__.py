"""REST API plumbing shared by every app: scoped viewsets, permissions, errors, paging."""
