"""Personal data on the platform: validated, encrypted, blind-indexed, masked, revealed with audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from rest_framework.test import APIClient

from sifa.platform.audit.models import ChangeLog, PersonalDataAccess
from sifa.platform.people.models import Person
from sifa.platform.people.services import find_by_id_number, register_person, reveal_field

VALID_ID = "11010519491231002X"  # GB 11643 worked example (STATUTORY_RULES §8)


@pytest.fixture
def person(users, tree):
    return register_person(
        acting_user=users["donghu_staff"],
        org=tree.donghu_office,
        name="王小明",
        id_number=VALID_ID,
        phone="138 1234 5678",
    )


def test_register_stores_no_clear_id_or_phone_anywhere(person, users) -> None:
    assert person.id_number_masked != VALID_ID and person.id_number_masked.endswith("002X")
    assert person.phone_masked == "138****5678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person WHERE id = %s", [person.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert VALID_ID not in row and "13812345678" not in row
    log = ChangeLog.objects.get(object_type="people.Person", object_id=str(person.pk))
    assert VALID_ID not in str(log.after) and "13812345678" not in str(log.after)
    assert person.birth_date.isoformat() == "1949-12-31" and person.sex == "female"


@pytest.mark.parametrize(
    ("id_number", "fragment"),
    [
        ("110105194912310021", "校验码"),
        ("11010519491331002X", "出生日期"),
        ("1101051949", "18 位"),
        ("", "身份证"),
    ],
)
def test_bad_id_number_names_the_field_and_saves_nothing(users, tree, id_number, fragment) -> None:
    before = (Person.objects.count(), ChangeLog.objects.count())
    with pytest.raises(ValidationError) as err:
        register_person(
            acting_user=users["donghu_staff"], org=tree.donghu_office, name="张三", id_number=id_number
        )
    assert fragment in " ".join(err.value.message_dict["id_number"])
    assert (Person.objects.count(), ChangeLog.objects.count()) == before


def test_lookup_by_blind_index_is_exact_and_scoped(person, users) -> None:
    assert find_by_id_number(acting_user=users["donghu_staff"], id_number=VALID_ID.lower()) == [person]
    assert find_by_id_number(acting_user=users["xunyang_staff"], id_number=VALID_ID) == []


def test_reveal_needs_the_permission_and_is_audited(person, users) -> None:
    with pytest.raises(PermissionDenied):
        reveal_field(acting_user=users["donghu_office_staff"], person=person, field="id_number")
    assert not PersonalDataAccess.objects.exists()
    value = reveal_field(
        acting_user=users["donghu_staff"], person=person, field="id_number", purpose="核对身份"
    )
    assert value == VALID_ID
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.field, access.purpose) == (users["donghu_staff"], "id_number", "核对身份")


def test_reveal_outside_jurisdiction_is_not_found(person, users, client) -> None:
    client.force_login(users["xunyang_head"])
    response = client.post(f"/people/{person.pk}/reveal/id_number/")
    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_api_shows_masked_values_and_rejects_bad_phone_by_field(person, users, tree) -> None:
    api = APIClient()
    api.force_login(users["donghu_staff"])
    row = api.get(f"/api/people/{person.pk}/").json()
    assert row["id_number_masked"] == person.id_number_masked and "id_number" not in row
    count = Person.objects.count()
    response = api.post(
        "/api/people/",
        {"org": tree.donghu.pk, "name": "赵六", "id_number": VALID_ID, "phone": "12345"},
        format="json",
    )
    assert response.status_code == 400
    assert "phone" in response.json()["errors"] and "手机号" in response.json()["detail"]
    assert Person.objects.count() == count


def test_create_page_shows_field_error_for_bad_id_number(users, tree, client) -> None:
    client.force_login(users["donghu_staff"])
    response = client.post(
        "/people/new/",
        {"org": tree.donghu.pk, "name": "<script>alert(1)</script>", "id_number": "360102198506150000"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-id_number"' in body and "校验码" in body
    assert "<script>alert(1)</script>" not in body  # the typed name is escaped when echoed
    assert not Person.objects.exists()


def test_restricted_person_is_hidden_from_roles_without_the_permission(person, users, client) -> None:
    """社区矫正法 Arts 52–58: a juvenile's identity is kept from staff who need no access."""
    from sifa.platform.people.services import mark_restricted

    mark_restricted(acting_user=users["donghu_head"], person=person, reason="未成年社区矫正对象")
    assert person not in Person.objects.restrict(users["donghu_staff"], "view")
    assert person in Person.objects.restrict(users["donghu_head"], "view")
    client.force_login(users["donghu_staff"])
    assert client.get(f"/people/{person.pk}/").status_code == 404
    assert ChangeLog.objects.filter(object_id=str(person.pk), note="未成年社区矫正对象").exists()
