"""Demo supervisees across Jiangxi's counties (deterministic: the demo RNG and Faker seed).

Bulk rows for volume; in 东湖区 (360102) the showcase records go through the real services so the
demo user ``donghu_head`` finds leaves waiting for county approval, one supervisee under an
approved electronic-monitoring order (residence 360102), and one open revocation case (Arts 46–48):
proposal sent with the procuratorate copy, received by the court (the 30-day ruling clock runs)
and an arrest request waiting for the court's decision (the 48-hour clock runs).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sifa.platform.people.demo import make_demo_person
from sifa.platform.people.models import Person
from sifa.platform.workflow.services.inbox import open_task
from sifa.platform.workflow.services.transitions import start_workflow

from .models import CheckIn, CorrectionType, Search, Supervisee, SuperviseeEvent, SuperviseeStatus
from .rules import add_months
from .services import (
    apply_leave,
    decide_monitoring,
    decide_sanction,
    open_revocation_case,
    propose_monitoring,
    propose_sanction,
    record_court_receipt,
    record_violation,
    report_deadline,
    request_arrest,
    send_revocation_proposal,
    start_report_clock,
)
from .workflows import SUPERVISEE

PER_SIZE = {"small": 60, "medium": 320, "province": 3000}
CRIMES = [
    ("危险驾驶罪", "拘役三个月，缓刑六个月"),
    ("盗窃罪", "有期徒刑一年，缓刑一年六个月"),
    ("诈骗罪", "有期徒刑二年，缓刑三年"),
    ("故意伤害罪", "有期徒刑一年，缓刑二年"),
    ("交通肇事罪", "有期徒刑一年，缓刑一年"),
    ("开设赌场罪", "有期徒刑二年，缓刑二年"),
]
TYPES = (
    [CorrectionType.PROBATION] * 8
    + [CorrectionType.PAROLE] * 2
    + [CorrectionType.TEMPORARY_RELEASE, CorrectionType.CONTROL]
)
LEVELS = ["lenient"] * 3 + ["ordinary"] * 6 + ["strict"]


def _supervisee(ctx: Any, person: Person, org: Any, today: dt.date, *, state: str) -> Supervisee:
    rng = ctx.rng
    effective = (
        today - dt.timedelta(days=rng.randint(3, 500))
        if state != SuperviseeStatus.NOTIFIED
        else (today - dt.timedelta(days=rng.randint(0, 8)))
    )
    crime, sentence = rng.choice(CRIMES)
    due, provisional = report_deadline(effective)
    period_end = add_months(effective, rng.choice([6, 12, 18, 24, 36]))
    if period_end <= today:
        period_end = today + dt.timedelta(days=rng.randint(10, 300))
    age_at_effect = (effective - person.birth_date).days // 365
    return Supervisee(
        person=person,
        org=org,
        name=person.name,
        sex=person.sex,
        correction_type=rng.choice(TYPES),
        deciding_organ=f"{org.division.name}人民法院",
        crime=crime,
        sentence=sentence,
        judgment_number=f"（{effective.year}）赣{org.division_id[2:6]}刑初{rng.randint(1, 999)}号",
        judgment_date=effective - dt.timedelta(days=10),
        effective_date=effective,
        notice_received_on=effective + dt.timedelta(days=2)
        if effective + dt.timedelta(days=2) <= today
        else today,
        period_start=effective,
        period_end=period_end,
        supervision_level=rng.choice(LEVELS),
        state=state,
        is_juvenile=age_at_effect < 18,
        residence_division_id=org.division_id,
        residence_address=person.address,
        report_due=due,
        report_due_provisional=provisional,
        reported_on=effective + dt.timedelta(days=rng.randint(1, 9))
        if state != SuperviseeStatus.NOTIFIED
        else None,
        identity_verified=state != SuperviseeStatus.NOTIFIED,
        # The missing ones went missing after registration: they come back through "found" (Art 30).
        registered_on=effective + dt.timedelta(days=10) if state != SuperviseeStatus.NOTIFIED else None,
        file_number=f"{org.division_id}-{effective.year}-{rng.randint(1, 99999):05d}"
        if state != SuperviseeStatus.NOTIFIED
        else "",
    )


def load(ctx: Any) -> None:
    if not ctx.offices:
        return
    rng, today = ctx.rng, timezone.localdate()
    total = PER_SIZE.get(ctx.size, 60)
    donghu_offices = [o for o in ctx.offices if o.division_id == "360102"]
    offices = [rng.choice(ctx.offices) for _ in range(total)]
    offices[:12] = [donghu_offices[0]] * 12  # enough in 东湖区 for the showcase below
    people, seen = [], set()
    for office in offices:
        person = make_demo_person(ctx, office)
        if rng.random() < 0.03:  # a few juveniles (Arts 52–58): born 16 years ago
            from sifa.platform.people.protection import protect_id_number
            from sifa.platform.personal import make_id_number

            birth = today.replace(year=today.year - 16) - dt.timedelta(days=rng.randint(30, 300))
            protected, parsed = protect_id_number(
                make_id_number(rng, birth_date=birth, area_code=office.division_id[:6])
            )
            person.birth_date = parsed.birth_date  # type: ignore[attr-defined]
            person.id_number_token, person.id_number_index = protected.token, protected.index
            person.id_number_masked = protected.masked
        if (office.pk, person.id_number_index) in seen:
            continue
        seen.add((office.pk, person.id_number_index))
        people.append(person)
    people = Person.objects.bulk_create(people, batch_size=2000)
    rows = []
    for i, person in enumerate(people):
        state = SuperviseeStatus.UNDER_SUPERVISION
        if i >= 12:
            roll = rng.random()
            state = (
                SuperviseeStatus.NOTIFIED
                if roll < 0.06
                else SuperviseeStatus.MISSING
                if roll < 0.08
                else SuperviseeStatus.UNDER_SUPERVISION
            )
        rows.append(_supervisee(ctx, person, person.org, today, state=state))
    rows = Supervisee.objects.bulk_create(rows, batch_size=2000)
    events, check_ins = [], []
    for sup in rows:
        events.append(
            SuperviseeEvent(
                supervisee=sup,
                code="notice_received",
                label="收到法律文书",
                article="《社区矫正法》第二十条",
                to_state=SuperviseeStatus.NOTIFIED,
            )
        )
        if sup.state == SuperviseeStatus.UNDER_SUPERVISION:
            events.append(
                SuperviseeEvent(
                    supervisee=sup,
                    code="register",
                    label="登记、建档、宣告",
                    article="《社区矫正法》第二十二条",
                    from_state="reported",
                    to_state=sup.state,
                )
            )
            check_ins.append(
                CheckIn(
                    supervisee=sup, kind="report", due_date=today + dt.timedelta(days=rng.randint(-3, 14))
                )
            )
    SuperviseeEvent.objects.bulk_create(events, batch_size=2000)
    CheckIn.objects.bulk_create(check_ins, batch_size=2000)
    admin = ctx.users.get("admin")
    if admin is not None:  # the waiting ones get their 报到期限 clock and inbox task, like a real intake
        for sup in rows:
            if sup.state == SuperviseeStatus.NOTIFIED:
                start_report_clock(sup, admin)
                start_workflow(sup, acting_user=admin, on=sup.notice_received_on)
            elif sup.state == SuperviseeStatus.MISSING:  # out of contact: a search and its task (Art 30)
                Search.objects.create(supervisee=sup, reason="电话无法接通，走访未见本人", opened_on=today)
                spec = SUPERVISEE.tasks[SuperviseeStatus.MISSING]
                open_task(
                    acting_user=admin,
                    title=f"{spec.title}：{sup}",
                    obj=sup,
                    assignee_role=spec.role,
                    due_date=today,
                    opened_in_state=SuperviseeStatus.MISSING,
                )
    _showcase(ctx, rows[:12], today)


def _showcase(ctx: Any, donghu: list[Supervisee], today: dt.date) -> None:
    """Real service calls in 东湖区: leaves awaiting the county head, one approved monitoring order."""
    office_user, head = ctx.users.get("donghu_office"), ctx.users.get("donghu_head")
    adults = [s for s in donghu if not s.is_juvenile]
    if office_user is None or head is None or len(adults) < 5:
        return
    destinations = ["上海市", "广州市", "北京市", "杭州市"]
    for sup, days in zip(adults[:4], (10, 14, 5, 20), strict=True):
        start = today + dt.timedelta(days=3 + days % 4)
        sup.period_end = max(sup.period_end, start + dt.timedelta(days=60))
        sup.save(update_fields=["period_end"])
        apply_leave(
            acting_user=office_user,
            supervisee=sup,
            destination=ctx.rng.choice(destinations),
            reason="探望亲属" if days < 15 else "务工",
            start_date=start,
            end_date=start + dt.timedelta(days=days - 1),
        )
    monitored = adults[4]
    monitored.period_end = max(monitored.period_end, today + dt.timedelta(days=120))
    monitored.save(update_fields=["period_end"])
    order = propose_monitoring(
        acting_user=office_user,
        supervisee=monitored,
        ground="left_area",
        ground_detail="未经批准离开东湖区三日，经查找到案",
        start_date=today,
        end_date=today + dt.timedelta(days=60),
    )
    decide_monitoring(acting_user=head, order=order, approve=True, note="同意使用电子定位装置")
    revocable = [s for s in adults[5:] if s.correction_type != CorrectionType.CONTROL]  # 管制: no revocation
    if revocable:
        _revocation_showcase(ctx, revocable[0], office_user, head, today)


def _revocation_showcase(ctx: Any, sup: Supervisee, office_user: Any, head: Any, today: dt.date) -> None:
    """Absconding for over a month → the Art 28 suggestion, decided → an open revocation case."""
    staff = ctx.users.get("donghu") or head
    violation = record_violation(
        acting_user=office_user,
        supervisee=sup,
        kind="absconding",
        occurred_on=today - dt.timedelta(days=40),
        absconding_days=35,
        description="未经批准离开东湖区，失联三十五日，经查找到案",
    )
    sanction = propose_sanction(
        acting_user=office_user,
        supervisee=sup,
        kind="revocation_proposal",
        reason="脱离监管超过一个月，经教育仍不改正",
        violation=violation,
    )
    decide_sanction(acting_user=head, sanction=sanction, note="同意提请撤销缓刑")
    case = open_revocation_case(
        acting_user=staff,
        sanction=sanction,
        procuratorate="南昌市东湖区人民检察院",
        evidence="查找记录、通话记录、村（居）委会证明、本人陈述",
    )
    send_revocation_proposal(acting_user=staff, case=case, sent_on=today, procuratorate_copy_on=today)
    record_court_receipt(acting_user=staff, case=case, received_on=today)
    request_arrest(
        acting_user=staff,
        case=case,
        arrest_requested_at=timezone.now(),  # with the proposal (Art 47)
        arrest_reason="曾脱管三十五日，可能逃跑",
    )
