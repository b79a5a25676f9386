"""The numbered sentences of a note that a persona claim may cite: the interviewee's words.

The tool numbers them, the model cites numbers and the tool attaches the exact words
(`CitableNote.quote`). Rules:

1. Units. A Markdown body goes through `plain_text`; its headings are role "heading". Other
   formats split into paragraphs at blank lines. A line that starts with a speaker label
   starts a turn; other lines and unlabelled paragraphs continue it (a heading ends it).
2. Labels. `Label: text` at a line start; Label is 1-5 words (letters, dots, apostrophes,
   hyphens; later words may be numbers: "Speaker 2") or a placeholder ("[PERSON-1]"), with
   an optional parenthetical ("Sam (Acme)"); `**Helen:**` reads the same. So that "The
   problem: nobody owns it" is no label, a label counts only when used twice, known
   (Interviewer, Q, A, ...), matching a name from front matter, `speakers` or the header, or
   opening a .vtt/.srt paragraph (one speaker each). Once a note has turns, a name-like label
   used once ("Sam (Acme): ...") is a speaker too, with a warning: an interjection must never
   pass for the interviewee's words.
3. Header. With turns, all before the first turn is role "metadata" (titles, "Date: ...").
   Without, the leading paragraphs holding metadata lines (Interviewee, Interviewer,
   Participants, Date, Company, Role, Title, Location, Duration, Attendees), and a one-line
   title before them, are. "Interviewee: <name>, <title>" names the interviewee (the first
   comma-separated part); "Interviewer: ..." likewise.
4. Roles, first match per label: front matter `interviewee`/`interviewer` (a label equal to
   the full, first or last name, any case; placeholders too), the campaign's `speakers`,
   header lines, known labels (Q, Question, Interviewer, Host, Moderator ask; A, Answer,
   Interviewee, Customer, Participant, Respondent answer). If no label is the interviewee
   and exactly one other remains, it is; if several do, nothing is citable and a warning
   names them. Other speakers (vendor staff, ...) are role "other". Only the interviewee's
   turns are citable.
5. A note without turns (prose) is all the interviewee's words but headings and header.
6. Sentences (`split_sentences`) end at . ! ? or an ellipsis before whitespace and an
   upper-case letter, digit, quote or bracket, or at the end; not after abbreviations (e.g.,
   Mr., vs., etc., ...) or initials. Whitespace runs become one space, nothing else changes.
   Fragments under 3 words join the previous sentence of their block (or the next). They
   are numbered from 1 in reading order across the note.
7. Odd input never raises: a note with nothing citable has no sentences and a warning.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from personagen.models.note import Note, SpeakerRoles

Role = Literal["interviewee", "interviewer", "other", "heading", "metadata"]

_WORD = r"(?:[^\W\d_](?:[^\W\d_]|[.'\u2019-])*|\[[A-Z]+-\d+\])"
_LABEL = re.compile(
    rf"(?P<label>{_WORD}(?:[ \t]+(?:{_WORD}|\d+)){{0,4}}(?:[ \t]*\([^()\n]{{1,40}}\))?)"
    r"[ \t]*:(?:[ \t]+(?P<rest>.*))?"
)
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*")
_ASKING, _ANSWERING = "q question interviewer host moderator", "a answer interviewee customer"
_DEFAULT_ROLES: dict[str, Role] = dict.fromkeys(_ASKING.split(), "interviewer")
_DEFAULT_ROLES |= dict.fromkeys(f"{_ANSWERING} participant respondent".split(), "interviewee")
_META_KEYS = "interviewee interviewer participant date company role title location duration"
_META_KEY = re.compile(rf"(?:interview )?(?P<key>{'|'.join(_META_KEYS.split())}|attendee)s?")
# These keys double as speaker labels: only a name-like value makes them metadata.
_PEOPLE_KEYS = {"interviewee": 0, "participant": 0, "interviewer": 1}
_NOT_NAMES = frozenset(
    "the a an my our their his her its this that these and but so also then yes no ok okay note "
    "notes summary next action key main bottom problem issue quote pain goal context background "
    "takeaway tldr ps nb fyi re todo update result outcome why what how when who where".split()
)
_HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir dame".split())
_ABBREVIATIONS = frozenset("e.g. i.e. mr. mrs. ms. dr. prof. st. jr. sr. vs. etc. cf.".split())
_END = re.compile(r"(?:[.!?]+|\u2026)[\"'\u201d\u2019)\]]*(?=\s)")
_OPENERS = "\"'\u201c\u2018([{"
_MIN_WORDS, _TITLE_WORDS = 3, 8  # a sentence's least words; a title line's most
_MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


@dataclass(frozen=True)
class Block:
    """One unit of a note in reading order, as plain text."""

    role: Role
    speaker: str | None
    text: str
    sentences: tuple[int, ...] = ()


@dataclass(frozen=True)
class CitableNote:
    """A note's blocks and the numbered sentences of the interviewee that may be cited."""

    note_id: str
    blocks: tuple[Block, ...]
    sentences: Mapping[int, str] = field(hash=False)
    interviewee: str | None
    warnings: tuple[str, ...]

    def quote(self, numbers: Sequence[int]) -> str:
        """The exact words of these sentences, in the order given, joined by single spaces."""
        return " ".join(self.sentences[number] for number in numbers)


def plain_text(markdown: str) -> list[tuple[str, str]]:
    """Markdown as ("heading" | "paragraph", text) pairs; line breaks within stay as '\\n'."""
    out: list[tuple[str, str]] = []
    in_heading = False
    for token in _MARKDOWN.parse(markdown):
        if token.type in ("heading_open", "heading_close"):
            in_heading = token.type == "heading_open"
        elif token.type == "inline" and (text := _inline_text(token.children or []).strip()):
            out.append(("heading" if in_heading else "paragraph", text))
        elif token.type in ("fence", "code_block"):
            # An indented transcript is a code block to Markdown; keep its words.
            out += [("paragraph", part) for part in _paragraphs(token.content)]
    return out


def _inline_text(children: list[Token]) -> str:
    """Text of inline tokens: markup and HTML dropped, link and image text kept."""
    breaks, kept = ("softbreak", "hardbreak"), ("text", "text_special", "code_inline", "image")
    return "".join(
        "\n" if c.type in breaks else c.content if c.type in kept else "" for c in children
    )


def _paragraphs(text: str) -> list[str]:
    """Blank-line-separated paragraphs, each stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [part.strip() for part in re.split(r"\n[ \t]*\n", text) if part.strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text (whitespace collapsed), fragments under 3 words merged."""
    text = " ".join(text.split())
    pieces: list[str] = []
    start = 0
    for match in _END.finditer(text):
        after = text[match.end() + 1 : match.end() + 2]
        if not (after.isupper() or after.isdigit() or (after and after in _OPENERS)):
            continue
        if match.group().startswith(".") and _abbreviation(text[start : match.start() + 1]):
            continue
        pieces.append(text[start : match.end()])
        start = match.end() + 1
    sentences: list[str] = []
    for piece in filter(None, (piece.strip() for piece in [*pieces, text[start:]])):
        # Only a leading fragment can stay short: it waits for the next piece.
        if sentences and min(len(piece.split()), len(sentences[-1].split())) < _MIN_WORDS:
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def _abbreviation(before: str) -> bool:
    """Whether the text up to a full stop ends with an abbreviation or an initial."""
    words = before.split()
    word = words[-1].lstrip(_OPENERS) if words else ""
    return word.casefold() in _ABBREVIATIONS or (len(word) == 2 and word[0].isupper())


@dataclass
class _Line:
    index: int  # in reading order across the note, headings included
    label: str | None  # a candidate speaker label, as written
    rest: str  # the text after the label, or the whole line
    text: str  # the whole line
    starts_paragraph: bool


def _units(note: Note) -> list[tuple[str, list[_Line]]]:
    """Headings and paragraphs of a note, paragraphs as lines with their candidate label."""
    md = note.source_format == "md"
    raw = plain_text(note.text) if md else [("paragraph", p) for p in _paragraphs(note.text)]
    units: list[tuple[str, list[_Line]]] = []
    count = 0
    for kind, text in raw:
        lines: list[_Line] = []
        for number, line in enumerate(text.split("\n") if kind == "paragraph" else [text]):
            line = line.strip()
            match = _LABEL.fullmatch(line) if kind == "paragraph" else None
            label = " ".join(match.group("label").split()) if match else None
            rest = (match.group("rest") or "").strip() if match else line
            lines.append(_Line(count, label, rest, line, number == 0))
            count += 1
        units.append((kind, lines))
    return units


def _key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _variants(label: str) -> set[str]:
    """A label as written and without its parenthetical, normalized."""
    return {_key(label), _key(_PARENTHETICAL.sub(" ", label))}


def _name_keys(names: Sequence[str]) -> set[str]:
    """Full, first and last names, normalized, of these (maybe comma-separated) people."""
    keys: set[str] = set()
    for name in (part for entry in names for part in _split_names(entry)):
        words = _PARENTHETICAL.sub(" ", name).split()
        words = [w for w in words if w.rstrip(".").casefold() not in _HONORIFICS]
        if words:
            keys |= {_key(" ".join(words)), words[0].casefold(), words[-1].casefold()}
    return keys


def _split_names(value: str | None) -> list[str]:
    return [part for part in re.split(r",|;|&|\band\b", value or "") if part.strip()]


def _meta_key(line: _Line) -> str | None:
    """The metadata key of a header line ('date', 'interviewee', ...), or None."""
    match = _META_KEY.fullmatch(_key(line.label)) if line.label else None
    if match is None:
        return None
    key, rest = match.group("key"), line.rest
    shaped = rest and not re.search(r"[?!]|\.$", rest) and len(rest.split()) <= 15
    return key if shaped or key not in _PEOPLE_KEYS else None


def _name_like(label: str) -> bool:
    """Whether a label used once looks like a person ("Sam (Acme)", not "Pricing note")."""
    words = _PARENTHETICAL.sub(" ", label).split()
    return (
        0 < len(words) <= 4
        and words[0].casefold() not in _NOT_NAMES
        and _META_KEY.fullmatch(_key(label)) is None
        and all(w[0].isupper() or w[0] == "[" or w.isdigit() for w in words)
    )


_Raw = tuple[Role | None, str | None, str]  # role (None: a turn, by speaker), speaker, text


class _Speakers:
    """Which lines are turns or header, and the roles names give; built by `citable_note`."""

    def __init__(self, note: Note, speakers: SpeakerRoles | None) -> None:
        self.note = note
        self.units = _units(note)
        self.lines = [line for kind, ls in self.units if kind == "paragraph" for line in ls]
        self.counts = Counter(_key(line.label) for line in self.lines if line.label)
        meta, given = note.meta, speakers or SpeakerRoles()
        # (interviewee, interviewer) names by source, in priority order (rule 4).
        self.keys = [
            (_name_keys([meta.interviewee or ""]), _name_keys([meta.interviewer or ""])),
            (_name_keys(given.interviewee), _name_keys(given.interviewer)),
        ]
        self.first_turn = self._first_turn()
        header: tuple[list[str], list[str]] = ([], [])
        for line in self.lines:
            key = _meta_key(line)
            if key in _PEOPLE_KEYS and (self.first_turn is None or line.index < self.first_turn):
                header[_PEOPLE_KEYS[key]].extend(_split_names(line.rest)[:1])
        self.keys.append((_name_keys(header[0]), _name_keys(header[1])))
        self.first_turn = self._first_turn()
        self.weak = {
            _key(line.label)
            for line in self.lines
            if line.label and self.first_turn is not None and line.index > self.first_turn
            if not self._strong(line) and _name_like(line.label)
        }

    def _strong(self, line: _Line) -> bool:
        """Whether a candidate label is surely a speaker (rule 2)."""
        if line.label is None:
            return False
        if self.note.source_format in ("vtt", "srt") and line.starts_paragraph:
            return True
        known = set(_DEFAULT_ROLES).union(*(keys for pair in self.keys for keys in pair))
        return bool(_variants(line.label) & known) or self.counts[_key(line.label)] > 1

    def _first_turn(self) -> int | None:
        turns = (line.index for line in self.lines if self._strong(line) and not _meta_key(line))
        return next(turns, None)

    def is_turn(self, line: _Line) -> bool:
        """Whether the line starts a speaker's turn."""
        if self.first_turn is None or line.index < self.first_turn or line.label is None:
            return False
        return self._strong(line) or _key(line.label) in self.weak

    def header(self) -> set[int]:
        """Indexes of the header lines (role metadata), rule 3."""
        if self.first_turn is not None:
            return set(range(self.first_turn))
        found: set[int] = set()
        title: list[_Line] = []
        for kind, lines in self.units:
            if kind == "heading":
                continue
            if any(_meta_key(line) for line in lines):
                found |= {line.index for line in [*title, *lines]}
                title = []
            elif not found and not title and len(lines) == 1 and _is_title(lines[0]):
                title = lines
            else:
                break
        return found

    def role_of(self, label: str) -> Role | None:
        """The role names or known labels give a label (rule 4), None if none does."""
        variants = _variants(label)
        for interviewees, interviewers in self.keys:
            if variants & interviewees:
                return "interviewee"
            if variants & interviewers:
                return "interviewer"
        return next((_DEFAULT_ROLES[v] for v in sorted(variants) if v in _DEFAULT_ROLES), None)


def _is_title(line: _Line) -> bool:
    return 0 < len(line.text.split()) <= _TITLE_WORDS and line.text[-1] not in ".?!"


def _raw_blocks(info: _Speakers) -> list[_Raw]:
    """The note's blocks in reading order; turns have a speaker but no role yet."""
    header = info.header()
    raw: list[tuple[Role | None, str | None, list[str]]] = []
    speaker: str | None = None
    unlabelled: Role = "interviewee" if info.first_turn is None else "other"
    for kind, lines in info.units:
        if kind == "heading":
            raw.append(("heading", None, [lines[0].text]))
            speaker = None
            continue
        open_turn = False  # whether the paragraph's last block takes more lines
        for line in lines:
            if line.index in header:
                raw.append(("metadata", line.label, [line.rest]))
                open_turn = False
            elif info.is_turn(line):
                speaker = line.label
                raw.append((None, speaker, [line.rest]))
                open_turn = True
            elif open_turn:
                raw[-1][2].append(line.text)
            else:
                raw.append((None if speaker else unlabelled, speaker, [line.text]))
                open_turn = True
    return [(role, who, " ".join(text)) for role, who, text in raw]


def _roles(info: _Speakers, labels: dict[str, str]) -> tuple[dict[str, Role], list[str]]:
    """Each speaker's role by normalized label, and warnings about who speaks."""
    found = {key: info.role_of(label) for key, label in labels.items()}
    warnings: list[str] = []
    unknown = [key for key, role in found.items() if role is None]
    if "interviewee" not in found.values():
        if len(unknown) == 1:
            found[unknown[0]] = "interviewee"
        elif labels:
            named = f" (front matter: {info.note.meta.interviewee!r}, no label matches)"
            warnings.append(
                f"{info.note.id}: which speaker is the interviewee? Found "
                f"{', '.join(repr(labels[k]) for k in unknown or labels)}"
                f"{named if info.note.meta.interviewee else ''}; nothing is citable. Name the "
                "interviewee in the note's front matter ('interviewee: <name>') or in the "
                "campaign file ('speakers: {interviewee: [<label>]}')"
            )
    roles: dict[str, Role] = {key: role or "other" for key, role in found.items()}
    once = [labels[k] for k in labels if k in info.weak and roles[k] != "interviewee"]
    if once:
        warnings.append(
            f"{info.note.id}: took {', '.join(map(repr, once))} (used once) as another "
            "speaker, whose words are not citable"
        )
    return roles, warnings


def citable_note(note: Note, speakers: SpeakerRoles | None = None) -> CitableNote:
    """The note's blocks with the interviewee's sentences numbered for citation."""
    info = _Speakers(note, speakers)
    raw = _raw_blocks(info)
    labels: dict[str, str] = {}
    for role, who, _ in raw:
        if role is None and who:
            labels.setdefault(_key(who), who)
    roles, warnings = _roles(info, labels)
    blocks: list[Block] = []
    sentences: dict[int, str] = {}
    for fixed, who, text in raw:
        text = " ".join(text.split())
        if not text:
            continue
        role = fixed or (roles[_key(who)] if who else "other")
        start = len(sentences) + 1
        if role == "interviewee":
            sentences.update(enumerate(split_sentences(text), start=start))
        blocks.append(Block(role, who, text, tuple(range(start, len(sentences) + 1))))
    if not sentences and not warnings:
        warnings.append(f"{note.id}: nothing in this note is citable as the interviewee's words")
    interviewees = [labels[k] for k, role in roles.items() if role == "interviewee"]
    interviewee = ", ".join(interviewees) or None
    return CitableNote(note.id, tuple(blocks), sentences, interviewee, tuple(warnings))
