"""Writes and audited reads of personal data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, record_personal_access
from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ensure_in_scope
from sifa.platform.personal import ValidationProblem

from .models import Person
from .protection import id_number_index, problem_message, protect_id_number, protect_phone, reveal


def register_person(
    *, acting_user: Any, org: Org, name: str, id_number: str, phone: str = "", address: str = ""
) -> Person:
    """Register a person in ``org``. Errors name their field, in the user's language; nothing is
    stored unless everything is valid."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写姓名。")
    elif len(name) > 64:
        errors["name"] = _("姓名不能超过64个字符。")
    protected_id = protected_phone = None
    try:
        protected_id, parsed = protect_id_number(id_number)
    except ValidationProblem as problem:
        errors["id_number"] = problem_message(problem)
    if phone:
        try:
            protected_phone = protect_phone(phone)
        except ValidationProblem as problem:
            errors["phone"] = problem_message(problem)
    if errors:
        raise ValidationError(errors)
    assert protected_id is not None
    with transaction.atomic():
        person = Person(
            org=org,
            name=name,
            sex="male" if parsed.sex.value == "M" else "female",  # type: ignore[attr-defined]
            birth_date=parsed.birth_date,  # type: ignore[attr-defined]
            id_number_token=protected_id.token,
            id_number_index=protected_id.index,
            id_number_masked=protected_id.masked,
            address=(address or "").strip()[:255],
        )
        if protected_phone is not None:
            person.phone_token, person.phone_index = protected_phone.token, protected_phone.index
            person.phone_masked = protected_phone.masked
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise ValidationError({"id_number": _("该身份证号码已在本机构登记。")}) from None
        ensure_in_scope(acting_user, person, "add")
        record_change(actor=acting_user, obj=person, action=ChangeAction.CREATE)
    return person


def mark_restricted(*, acting_user: Any, person: Person, reason: str) -> Person:
    """Hide ``person`` from roles without ``people.view_restricted`` (audited, with the reason)."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if not person.restricted:
            person.restricted = True
            person.save(update_fields=["restricted"])
            record_change(
                actor=acting_user,
                obj=person,
                action=ChangeAction.UPDATE,
                before={"restricted": False},
                after={"restricted": True},
                note=reason,
            )
    return person


def find_by_id_number(*, acting_user: Any, id_number: str) -> list[Person]:
    """Exact lookup through the blind index, within the user's jurisdiction."""
    try:
        index = id_number_index(id_number)
    except ValidationProblem as problem:
        raise ValidationError({"id_number": problem_message(problem)}) from None
    return list(Person.objects.restrict(acting_user, "view").filter(id_number_index=index))


def reveal_field(*, acting_user: Any, person: Person, field: str, purpose: str = "") -> str:
    """The clear value of ``field`` — a permission of its own, and every reveal is audited."""
    if field not in Person.REVEALABLE:
        raise ValidationError({"field": _("不支持查看该字段。")})
    if not acting_user.has_perm("people.reveal_person"):
        raise PermissionDenied(_("您没有查看个人信息明文的权限。"))
    ensure_in_scope(acting_user, person, "view")
    token = getattr(person, Person.REVEALABLE[field])
    if not token:
        return ""
    with transaction.atomic():
        record_personal_access(actor=acting_user, obj=person, field=field, purpose=purpose)
    return reveal(token, context=field)
