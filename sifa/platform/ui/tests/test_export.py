"""List export: CSV/XLSX in the user's jurisdiction, safe against formula injection (CWE-1236)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from sifa.platform.orgs.services import update_org
from sifa.platform.ui.export import safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"])
def test_formula_like_text_is_neutralised(text: str) -> None:
    assert safe_cell(text) == "'" + text


def test_plain_values_are_kept() -> None:
    assert safe_cell("东湖区") == "东湖区" and safe_cell(-3) == -3 and safe_cell(None) == ""


def test_xlsx_export_is_scoped_and_safe(users, tree, client) -> None:
    update_org(acting_user=users["donghu_staff"], org=tree.donghu_office, phone='=HYPERLINK("http://x")')
    client.force_login(users["donghu_staff"])
    response = client.get("/orgs/", {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    names = {row[0] for row in values[1:]}
    assert names == {"东湖区司法局", "东湖区豫章司法所"}
    assert any(v == '\'=HYPERLINK("http://x")' for row in values for v in row)


def test_csv_export_has_bom_and_headers(users, client) -> None:
    client.force_login(users["province_admin"])
    response = client.get("/orgs/", {"export": "csv", "kind": "justice_office"})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff机构名称") and "东湖区豫章司法所" in text and "南昌市司法局" not in text
