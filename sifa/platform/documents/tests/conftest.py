from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

# The GB 11643 standard's own example number: valid check digit, fictitious person.
EXAMPLE_ID = "11010519491231002X"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Every file this test writes goes to a fresh MEDIA_ROOT, so 'nothing stored' is checkable."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return Path(settings.MEDIA_ROOT)


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def certificate_context(**overrides: Any) -> dict[str, Any]:
    values = {
        "supervisee_name": "张小明",
        "gender": "男",
        "id_number": EXAMPLE_ID,
        "crime": "危险驾驶罪",
        "court": "南昌市东湖区人民法院",
        "judgment_number": "（2025）赣0102刑初123号",
        "sentence": "拘役四个月，缓刑六个月",
        "correction_kind": "缓刑",
        "period_start": "2025-05-20",
        "period_end": "2025-11-19",
        "issue_date": "2025-11-20",
    }
    values.update(overrides)
    return values


def notice_context(**overrides: Any) -> dict[str, Any]:
    values = {
        "subject": "关于报送年度普法工作总结的通知",
        "recipient": "各司法所",
        "body": "请于12月31日前报送本年度普法工作总结。\n逾期未报送的，予以通报。",
        "contact": "王五 0791-88886666",
        "issue_date": "2026-11-23",
    }
    values.update(overrides)
    return values
