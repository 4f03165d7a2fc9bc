"""Refusing an oversize upload while it streams in, before it fills the temporary directory.

Django writes an upload above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file in full before the
view runs. This handler, put first in ``request.upload_handlers`` by the upload page and the API,
drops a file as soon as it passes ``settings.SIFA_UPLOAD_MAX_BYTES`` and marks the request, so the
service can answer "文件过大" instead of "no file". The service checks the size again regardless.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

TOO_LARGE_ATTRIBUTE = "sifa_upload_too_large"


class SizeLimitUploadHandler(FileUploadHandler):
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > settings.SIFA_UPLOAD_MAX_BYTES:
            setattr(self.request, TOO_LARGE_ATTRIBUTE, True)
            raise SkipFile  # Django discards the rest of this file and whatever was buffered
        return raw_data  # passed on to the next handler (memory or temporary file)

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the UploadedFile


def limit_upload_size(request: Any) -> None:
    """Call before the request body is read (before request.POST / request.FILES / request.data)."""
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))


def upload_was_too_large(request: Any) -> bool:
    return bool(getattr(request, TOO_LARGE_ATTRIBUTE, False))
