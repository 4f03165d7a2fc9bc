"""Scoping-matrix cases for the documents app (see sifa/platform/testing/matrix.py).

Rows are made directly, without rendering or writing files: the matrix checks who may read which
row, and a PDF render per endpoint would only slow it down. Uploads are multipart, which the
matrix's JSON create cannot express, so creation is covered by tests/test_api.py instead.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sifa.platform.orgs.models import Org
from sifa.platform.testing.matrix import MatrixCase

from .catalog import NOTICE
from .models import Attachment, Document
from .services import _template_row, allocate_number, blob_name


def make_attachment(org: Org, owner: Any = None, content: bytes = b"matrix") -> Attachment:
    sha = hashlib.sha256(content).hexdigest()
    return Attachment.objects.create(
        org=org,
        file=blob_name(sha),
        original_name="matrix.txt",
        content_type="text/plain; charset=utf-8",
        size=len(content),
        sha256=sha,
    )


def make_document(org: Org, owner: Any = None) -> Document:
    number = allocate_number(org=org, prefix=NOTICE.number_prefix)
    return Document.objects.create(
        org=org,
        template=_template_row(NOTICE),
        number=str(number),
        number_prefix=number.prefix,
        number_year=number.year,
        number_serial=number.serial,
        title="矩阵测试通知",
        context={"subject": "矩阵测试通知"},
    )


MATRIX = {
    "documents.Document": MatrixCase(make=make_document),
    "documents.Attachment": MatrixCase(make=make_attachment),
}
