"""Document numbers (发文字号): per org, prefix and year; gap-free; never shared."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sifa.platform.audit.models import ChangeLog
from sifa.platform.documents.models import DocumentNumberSequence
from sifa.platform.documents.services import allocate_number


@pytest.mark.django_db
def test_numbers_count_up_without_gaps_per_org_prefix_and_year(tree: Any) -> None:
    first = [str(allocate_number(org=tree.donghu, prefix="洪司社矫", year=2026)) for _ in range(3)]
    assert first == ["洪司社矫〔2026〕第1号", "洪司社矫〔2026〕第2号", "洪司社矫〔2026〕第3号"]
    # Another prefix, another year and another org each start their own count.
    assert str(allocate_number(org=tree.donghu, prefix="洪司通", year=2026)) == "洪司通〔2026〕第1号"
    assert str(allocate_number(org=tree.donghu, prefix="洪司社矫", year=2027)) == "洪司社矫〔2027〕第1号"
    assert str(allocate_number(org=tree.xihu, prefix="洪司社矫", year=2026)) == "洪司社矫〔2026〕第1号"
    assert allocate_number(org=tree.donghu, prefix="洪司社矫", year=2026).serial == 4


@pytest.mark.django_db
def test_a_rolled_back_allocation_gives_its_number_back(tree: Any) -> None:
    allocate_number(org=tree.donghu, prefix="洪司社矫", year=2026)
    taken: list[int] = []

    def store_document_then_fail() -> None:
        with transaction.atomic():
            taken.append(allocate_number(org=tree.donghu, prefix="洪司社矫", year=2026).serial)
            raise RuntimeError("the document could not be stored")

    with pytest.raises(RuntimeError, match="could not be stored"):
        store_document_then_fail()
    assert taken == [2]
    assert allocate_number(org=tree.donghu, prefix="洪司社矫", year=2026).serial == 2


@pytest.mark.django_db
def test_allocation_is_audited_and_an_empty_prefix_is_refused(tree: Any, users: dict[str, Any]) -> None:
    allocate_number(org=tree.donghu, prefix="洪司社矫", year=2026, acting_user=users["donghu_staff"])
    sequence = DocumentNumberSequence.objects.get(org=tree.donghu)
    log = ChangeLog.objects.filter(object_type="documents.DocumentNumberSequence", object_id=str(sequence.pk))
    assert log.get().actor == users["donghu_staff"]
    with pytest.raises(ValidationError) as caught:
        allocate_number(org=tree.donghu, prefix="  ", year=2026)
    assert "number_prefix" in caught.value.message_dict


@pytest.mark.django_db
def test_allocation_locks_the_sequence_row_on_postgresql(tree: Any) -> None:
    """Two allocations at the same time must not both read the same counter. On PostgreSQL the
    sequence row is read with SELECT … FOR UPDATE, so a second transaction waits until the first
    commits (or rolls back, returning its number) and then reads the committed counter. SQLite has
    no row locks; there the transaction itself holds the database write lock (BEGIN IMMEDIATE).

    A threaded test would need committed rows, and the append-only audit tables cannot be flushed
    between transactional tests, so the lock is asserted on the SQL instead."""
    allocate_number(org=tree.donghu, prefix="洪司社矫", year=2026)
    with CaptureQueriesContext(connection) as queries:
        allocate_number(org=tree.donghu, prefix="洪司社矫", year=2026)
    lookups = [
        q["sql"]
        for q in queries.captured_queries
        if "documents_documentnumbersequence" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert lookups, "the counter must be read from the sequence row"
    if connection.vendor == "postgresql":
        assert all("FOR UPDATE" in sql for sql in lookups), lookups
