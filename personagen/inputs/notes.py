"""Load customer-interview notes from files and folders."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from personagen.errors import InputError
from personagen.inputs.structured import parse_yaml_mapping, read_text, validate_mapping
from personagen.inputs.transcripts import parse_srt, parse_vtt
from personagen.models.note import Note, NoteFormat, NoteMeta

MAX_NOTE_BYTES = 2_000_000
FORMATS: dict[str, NoteFormat] = {".md": "md", ".txt": "txt", ".vtt": "vtt", ".srt": "srt"}
_SUPPORTED = ", ".join(FORMATS)
_NOTE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def load_notes(paths: Sequence[Path]) -> list[Note]:
    """Read every note in the given files and folders, sorted by id (the file stem)."""
    files: dict[Path, Path] = {}
    for path in paths:
        for file in _note_files(path):
            # The same file named twice (e.g. itself and its folder) is one note, not a clash.
            files.setdefault(file.resolve(), file)
    notes: dict[str, Note] = {}
    for file in files.values():
        note = load_note(file)
        if note.id in notes:
            raise InputError(
                str(file),
                f"note id '{note.id}' is also used by {notes[note.id].path}; "
                "rename one of the files",
            )
        notes[note.id] = note
    return sorted(notes.values(), key=lambda note: note.id)


def load_note(path: Path) -> Note:
    """Read one note file; its format comes from the extension and its id from the stem."""
    source = str(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(source, f"unsupported note type '{path.suffix}'; expected {_SUPPORTED}")
    if not _NOTE_ID.fullmatch(path.stem):
        raise InputError(
            source,
            f"note id {path.stem!r} (the file name) must start with a letter or digit and "
            "contain only letters, digits, '_', '.' and '-'; rename the file",
        )
    text = read_text(path, max_bytes=MAX_NOTE_BYTES)
    if not text.strip():
        raise InputError(
            source, "file is empty or only whitespace; expected the interview note's text"
        )
    meta = NoteMeta()
    if fmt == "md":
        meta, body = _split_front_matter(text, source)
        if not body.strip():
            raise InputError(source, "note has front matter but no text after it")
    elif fmt == "txt":
        body = text
    else:
        body = parse_vtt(text, source) if fmt == "vtt" else parse_srt(text, source)
        if not body.strip():
            raise InputError(source, "transcript has no spoken text, only timings")
    return Note(id=path.stem, text=body, meta=meta, source_format=fmt, path=source)


def _note_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        detail = "not a file or folder" if path.exists() else "no such file or folder"
        raise InputError(str(path), detail)
    try:
        visible = sorted(
            (p for p in path.iterdir() if not p.name.startswith(".") and p.is_file()),
            key=lambda p: p.name,
        )
    except PermissionError:
        raise InputError(str(path), "permission denied; cannot list the folder") from None
    notes = [p for p in visible if p.suffix.lower() in FORMATS]
    if not notes:
        found = f"it has {len(visible)} other file(s)" if visible else "it is empty"
        raise InputError(str(path), f"folder has no note files ({found}); expected {_SUPPORTED}")
    return notes


def _split_front_matter(text: str, source: str) -> tuple[NoteMeta, str]:
    """Separate optional YAML front matter between leading '---' lines from the body."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return NoteMeta(), text
    for end in range(1, len(lines)):
        if lines[end].rstrip() == "---":
            break
    else:
        raise InputError(source, "front matter opened with '---' on line 1 is never closed")
    where = f"{source} (front matter)"
    data = parse_yaml_mapping("\n".join(lines[1:end]), where, first_line=2)
    return validate_mapping(data, NoteMeta, where), "\n".join(lines[end + 1 :])
