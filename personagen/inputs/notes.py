"""Load customer-interview notes from files and folders.

A note's text loses C0 and C1 control characters other than tab and newline (carriage
returns are newlines already), terminal escape sequences whole: they are never part of
what was said, and they would reach prompts, persona quotes and terminals. A warning says
how many went, and from which file.

A note that is a symbolic link is followed and its target read (and sent to the model)
unless `follow_symlinks=False` (`--no-follow-symlinks`), which refuses linked notes.

In a notes folder, files whose names start with '.' (hidden files), '_' (guides and
drafts kept beside the notes, such as the `_how-to-write-notes.md` that `personagen init`
writes) or '~$' (the lock file Word keeps beside a document it has open) are not notes:
they are passed over by this rule. Any other file whose extension
is not a note format is listed in one warning, so nothing else is skipped without a word.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from personagen.errors import InputError
from personagen.inputs.structured import parse_yaml_mapping, read_text, validate_mapping
from personagen.inputs.transcripts import parse_srt, parse_vtt
from personagen.inputs.word import read_docx
from personagen.models.note import Note, NoteFormat, NoteMeta
from personagen.text import strip_controls

MAX_NOTE_BYTES = 2_000_000
FORMATS: dict[str, NoteFormat] = {
    ".md": "md",
    ".txt": "txt",
    ".vtt": "vtt",
    ".srt": "srt",
    ".docx": "docx",
}
# Names that are not notes by rule (see the module docstring): hidden files, guides, locks.
NOT_NOTES = (".", "_", "~$")
_SUPPORTED = ", ".join(FORMATS)
_NOTE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
Warn = Callable[[str], None]


class NoteWarning(UserWarning):
    """A note was read with a change its author should know about."""


def load_notes(
    paths: Sequence[Path], *, follow_symlinks: bool = True, warn: Warn | None = None
) -> list[Note]:
    """Read every note in the given files and folders, sorted by id (the file stem).

    `follow_symlinks=False` refuses a note file or folder that is a symbolic link; `warn`
    receives each warning (default: a `NoteWarning` through Python's `warnings`).
    """
    files: dict[Path, Path] = {}
    for path in paths:
        for file in _note_files(path, follow_symlinks, warn):
            # The same file named twice (e.g. itself and its folder) is one note, not a clash.
            files.setdefault(file.resolve(), file)
    notes: dict[str, Note] = {}
    for file in files.values():
        note = load_note(file, warn=warn)
        if note.id in notes:
            raise InputError(
                str(file),
                f"note id '{note.id}' is also used by {notes[note.id].path}; "
                "rename one of the files",
            )
        notes[note.id] = note
    return sorted(notes.values(), key=lambda note: note.id)


def load_note(path: Path, *, warn: Warn | None = None) -> Note:
    """Read one note file; its format comes from the extension and its id from the stem.

    Control characters are dropped (see the module docstring); `warn` hears how many.
    """
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
    raw = read_docx(path) if fmt == "docx" else read_text(path, max_bytes=MAX_NOTE_BYTES)
    text, dropped = strip_controls(raw)
    if dropped:
        _warn(
            f"{source}: dropped {dropped} control character{'s' * (dropped != 1)} "
            "(terminal escape sequences and other non-printing characters)",
            warn,
        )
    if not text.strip():
        raise InputError(
            source, "file is empty or only whitespace; expected the interview note's text"
        )
    meta = NoteMeta()
    if fmt == "md":
        meta, body = _split_front_matter(text, source)
        if not body.strip():
            raise InputError(source, "note has front matter but no text after it")
    elif fmt in ("txt", "docx"):
        body = text
    else:
        body = parse_vtt(text, source) if fmt == "vtt" else parse_srt(text, source)
        if not body.strip():
            raise InputError(source, "transcript has no spoken text, only timings")
    return Note(id=path.stem, text=body, meta=meta, source_format=fmt, path=source)


def _warn(message: str, warn: Warn | None) -> None:
    if warn is not None:
        warn(message)
    else:
        warnings.warn(message, NoteWarning, stacklevel=4)


def _refuse_link(path: Path) -> None:
    """InputError for a note file or folder that is a symbolic link (links not followed)."""
    if path.is_symlink():
        raise InputError(
            str(path),
            "is a symbolic link; links to notes are not followed here (--no-follow-symlinks): "
            "name the file itself",
        )


def _note_files(path: Path, follow_symlinks: bool = True, warn: Warn | None = None) -> list[Path]:
    if not follow_symlinks:
        _refuse_link(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        detail = "not a file or folder" if path.exists() else "no such file or folder"
        raise InputError(str(path), detail)
    try:
        entries = sorted(
            (p for p in path.iterdir() if not p.name.startswith(NOT_NOTES)), key=lambda p: p.name
        )
        visible = [p for p in entries if p.is_file()]
    except PermissionError:
        raise InputError(str(path), "permission denied; cannot list the folder") from None
    notes = [p for p in visible if p.suffix.lower() in FORMATS]
    if not follow_symlinks:
        for note in notes:
            _refuse_link(note)
    # Folders are not searched: a subfolder is named like a skipped file ("calls/").
    others = [p.name for p in visible if p not in notes]
    others += [f"{p.name}/" for p in entries if p.is_dir()]
    if not notes:
        found = f"it has only {_listed(others)}" if others else "it is empty"
        raise InputError(str(path), f"folder has no note files ({found}); expected {_SUPPORTED}")
    if others:
        _warn(
            f"{path}: skipped {_listed(others)}: not notes (a note is {_SUPPORTED}; "
            "subfolders are not read); convert or move them, or start a name with '_' to "
            "keep it beside the notes",
            warn,
        )
    return notes


def _listed(names: list[str]) -> str:
    """'2 entries (a.pdf, calls/)', at most five names shown."""
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{len(names)} entr{'ies' if len(names) != 1 else 'y'} ({shown})"


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
