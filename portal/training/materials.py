"""Event materials: links, and uploaded files checked by size and by their content (never by name or header)."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from typing import Any

from portal.clock import utc_now
from portal.db.tables import TrainingMaterial

# Below the 10 MB a request body may have (portal.web.input_guard), so the form can say what is wrong.
MAX_FILE_BYTES = 8 * 1024 * 1024
# Sniffed type -> (content type served, extension).
ALLOWED = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpeg": ("image/jpeg", "jpg"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
# The folder an Office Open XML package keeps its main part in.
_OOXML_FOLDERS = {"word/": "docx", "ppt/": "pptx", "xl/": "xlsx"}
_MAX_ZIP_MEMBERS = 5000


class MaterialRefused(Exception):
    """``code``: empty, too_large or type."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sniff(data: bytes) -> str | None:
    """The kind of file ``data`` holds, from its bytes, or None when it is none the portal takes."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def _office_kind(data: bytes) -> str | None:
    """DOCX, PPTX or XLSX: a ZIP with [Content_Types].xml and the main part's folder (only names are read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_ZIP_MEMBERS:
                return None
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    kinds = {kind for folder, kind in _OOXML_FOLDERS.items() if any(name.startswith(folder) for name in names)}
    return kinds.pop() if len(kinds) == 1 else None


def safe_file_name(name: str, extension: str) -> str:
    """The uploaded name without folders or odd characters, ending in the extension of its real type."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[^\w .()-]", "_", base).strip(" .") or "material"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:180]}.{extension}"


async def add_file(event_id: int, title: str, upload: Any) -> int:
    """Store an uploaded file after checking its size and content; raises MaterialRefused."""
    data = await upload.read(MAX_FILE_BYTES + 1)
    if not data:
        raise MaterialRefused("empty")
    if len(data) > MAX_FILE_BYTES:
        raise MaterialRefused("too_large")
    kind = sniff(data)
    if kind is None:
        raise MaterialRefused("type")
    content_type, extension = ALLOWED[kind]
    file_name = safe_file_name(getattr(upload, "filename", "") or "", extension)
    rows = await TrainingMaterial.insert(
        TrainingMaterial(
            event=event_id,
            title=(title or file_name)[:200],
            url="",
            file_name=file_name,
            content_type=content_type,
            size=len(data),
            data=data,
            created_at=utc_now(),
        )
    )
    return rows[0]["id"]


async def add_link(event_id: int, title: str, url: str) -> int:
    rows = await TrainingMaterial.insert(
        TrainingMaterial(
            event=event_id, title=title, url=url, file_name="", content_type="", size=0, data=None, created_at=utc_now()
        )
    )
    return rows[0]["id"]


async def get_material(material_id: int, with_data: bool = False) -> dict[str, Any] | None:
    columns = [
        TrainingMaterial.id,
        TrainingMaterial.event,
        TrainingMaterial.title,
        TrainingMaterial.url,
        TrainingMaterial.file_name,
        TrainingMaterial.content_type,
        TrainingMaterial.size,
    ]
    if with_data:
        columns.append(TrainingMaterial.data)
    return await TrainingMaterial.select(*columns).where(TrainingMaterial.id == material_id).first()


async def delete_material(material_id: int) -> None:
    await TrainingMaterial.delete().where(TrainingMaterial.id == material_id)
