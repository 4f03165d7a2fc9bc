"""Audit rows record every service write and cannot be rewritten, not even by the app's own SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from sifa.platform.audit.context import request_context
from sifa.platform.audit.models import AppendOnlyError, ChangeAction, ChangeLog
from sifa.platform.orgs.services import update_org


def test_service_write_records_actor_org_request_and_before_after(users, tree) -> None:
    with request_context("req-test-0001"):
        update_org(acting_user=users["donghu_staff"], org=tree.donghu_office, phone="0791-86661234")
    log = ChangeLog.objects.get(object_type="orgs.Org", object_id=str(tree.donghu_office.pk))
    assert log.action == ChangeAction.UPDATE and log.actor == users["donghu_staff"]
    assert log.actor_org == tree.donghu and log.org == tree.donghu_office
    assert log.request_id == "req-test-0001"
    assert (log.before or {}).get("phone") == "" and (log.after or {}).get("phone") == "0791-86661234"


def test_a_write_outside_the_actors_jurisdiction_rolls_back_with_no_audit_row(users, tree) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        update_org(acting_user=users["xunyang_staff"], org=tree.donghu_office, phone="110")
    tree.donghu_office.refresh_from_db()
    assert tree.donghu_office.phone == "" and not ChangeLog.objects.exists()


def test_model_refuses_update_and_delete(users, tree) -> None:
    update_org(acting_user=users["donghu_staff"], org=tree.donghu, phone="1")
    log = ChangeLog.objects.get()
    log.note = "tampered"
    with pytest.raises(AppendOnlyError):
        log.save()
    with pytest.raises(AppendOnlyError):
        log.delete()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_changelog SET note = 'x'", "DELETE FROM audit_changelog"]
)
def test_database_refuses_update_and_delete_of_audit_rows(users, tree, statement) -> None:
    update_org(acting_user=users["donghu_staff"], org=tree.donghu, phone="1")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert ChangeLog.objects.get().note == ""


def test_audit_page_is_searchable_and_scoped(users, tree, client) -> None:
    update_org(acting_user=users["donghu_staff"], org=tree.donghu_office, phone="2")
    update_org(acting_user=users["xunyang_staff"], org=tree.xunyang_office, phone="3")
    client.force_login(users["donghu_head"])
    page = client.get("/audit/", {"actor": "dh_staff"})
    assert page.status_code == 200
    assert [row["obj"].object_id for row in page.context["rows"]] == [str(tree.donghu_office.pk)]
    client.force_login(users["donghu_office_staff"])
    assert client.get("/audit/").status_code == 403  # office staff are not audit admins
