"""Sifa: a provincial justice department's shared platform (数字法治·智慧司法)."""
