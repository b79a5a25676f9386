"""Read the text of a Word (.docx) interview note with python-docx.

A .docx file is a zip archive of XML parts. Before python-docx opens it, the archive's
declared unpacked size is checked, so a small file that inflates to gigabytes (a zip
bomb) is refused instead of filling memory; python-docx's XML parser resolves no
entities. Body paragraphs become the note's text, one blank line apart, so speaker labels
at the start of a paragraph ("Dana: ...") stay where they were; tables, headers, footers,
comments and images are not read.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from personagen.errors import InputError
from personagen.inputs.structured import read_bytes

MAX_DOCX_BYTES = 20_000_000
MAX_DOCX_UNPACKED = 100_000_000


def read_docx(path: Path) -> str:
    """The paragraphs of a .docx file as text, one blank line apart; InputError if unreadable."""
    source = str(path)
    data = read_bytes(path, max_bytes=MAX_DOCX_BYTES)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InputError(
            source,
            "is not a Word .docx file (not a zip archive); save it as .docx, or export the "
            "text as .txt",
        ) from None
    if unpacked > MAX_DOCX_UNPACKED:
        raise InputError(
            source,
            f"unpacks to {unpacked:,} bytes (the limit is {MAX_DOCX_UNPACKED:,}); save the "
            "interview's text as .txt or .md",
        )
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any parser failure on a user's file is one line
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise InputError(
            source, f"cannot be read as a Word document ({reason}); save it again as .docx"
        ) from None
    paragraphs = (paragraph.text.strip() for paragraph in document.paragraphs)
    return "\n\n".join(text for text in paragraphs if text)
