"""`sifa manage export_reviewed_questions OUT.jsonl [--since YYYY-MM-DD]`: staff reviews → training rows.

Writes one JSON line per reviewed question, in the classifier's training format
(``{"id", "question", "category", "source"}``, see sifa/intelligence/data/questions/README.md):
``question`` is the stored, already masked text (ID, phone and card numbers never reach this file),
``category`` the reviewer's category. Questions whose text equals a held-apart question are left
out, so a reviewed copy of an evaluation question can never leak into training. The team reads the
file, appends the rows it accepts to a training file and runs ``sifa advice train``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def held_apart_questions() -> set[str]:
    from sifa.intelligence.qa.classifier import HELDOUT_FILES, load_records
    from sifa.intelligence.qa.classifier_text import normalise

    return {normalise(r["question"]) for path in HELDOUT_FILES if path.exists() for r in load_records(path)}


class Command(BaseCommand):
    help = "Export reviewed smart-advice questions as classifier training rows (JSON Lines)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("out", help="output file (.jsonl); '-' for standard output")
        parser.add_argument("--since", default=None, help="only reviews on or after this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        from sifa.intelligence.qa.classifier import CATEGORIES
        from sifa.intelligence.qa.classifier_text import normalise
        from sifa.legal_services.advice.models import AdviceQuestion, ReviewStatus

        rows = AdviceQuestion.objects.filter(review_status=ReviewStatus.REVIEWED)
        rows = rows.exclude(reviewed_category="")
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError as exc:
                message = f"--since: 日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD: {options['since']}"
                raise CommandError(message) from exc
            rows = rows.filter(reviewed_at__date__gte=since)
        held = held_apart_questions()
        lines: list[str] = []
        skipped = 0
        for q in rows.order_by("pk").iterator():
            if q.reviewed_category not in CATEGORIES or normalise(q.question_masked) in held:
                skipped += 1
                continue
            lines.append(
                json.dumps(
                    {
                        "id": f"rv-{q.pk}",
                        "question": q.question_masked,
                        "category": q.reviewed_category,
                        "source": "staff_review",
                        "predicted": q.category,
                        "reviewed_at": q.reviewed_at.isoformat() if q.reviewed_at else None,
                    },
                    ensure_ascii=False,
                )
            )
        text = "".join(line + "\n" for line in lines)
        if options["out"] == "-":
            self.stdout.write(text, ending="")
        else:
            Path(options["out"]).write_text(text, encoding="utf-8")
        self.stderr.write(f"exported {len(lines)} reviewed questions, skipped {skipped}")
