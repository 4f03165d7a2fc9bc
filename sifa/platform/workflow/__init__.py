"""Workflow engine: declared state machines, statutory deadline clocks, holiday table, inbox."""
