"""Finding personal data in interview notes: people and companies (emails and phone
numbers: `personagen.redact_contacts`).

What is covered
- Email addresses and phone numbers in every note, whatever its format, as
  `personagen.redact_contacts` describes (libphonenumber for phones; Unicode, full-width
  '＠' and ``[at]``/``[dot]`` spellings for emails).
- People named in a Markdown note's front matter (``interviewee``): the full name in any
  letter case, and each part of it (first name alone, last name alone, middle names) as
  written or in capitals, in every spelling `personagen.redact_spelling` lists: without
  or with accents (``Jorg`` for ``Jörg``, ``Mueller`` for ``Müller``), a hyphen as a space
  (``Jean Luc``), either apostrophe (``O’Brien``), and inside running text for names in
  Chinese, Japanese and other scripts written without spaces. A Chinese, Japanese or
  Korean name written without a space is split by the usual pattern (``王小明``: the
  given name ``小明``). Titles (Dr, Ms, ...) and initials are not parts; neither is a
  single character.
- People found in notes without front matter (.txt, .vtt, .srt, or .md without it), by
  two heuristics: a header line naming them (``Interviewee: Tom Brennan, ...``,
  ``Interview with Jamie Cole``, ``# Interview: Helen Okafor, CFO``), and speaker labels
  (``Priya Shah: ...``, which is also how WebVTT voice tags ``<v Priya Shah>`` arrive):
  once in a .vtt/.srt transcript, or at least twice in any other note. Generic labels
  (Interviewer, Q, A, Speaker, Notes, ...) are ignored, and a one-word label that also
  occurs as an ordinary lower-case word in the notes (``Pricing:``) is taken for a heading.
- With ``company=True``: the front matter's ``company``, in full, without a legal suffix
  (Inc, LLC, GmbH, ...) and by its first word when that word is distinctive
  (``Ferncrest`` for ``Ferncrest Payroll``), in the same spellings as people.
- Every name found in one note is redacted in all notes (people mention each other).

What is not covered
- Names that appear only in running text (``my manager, Sarah, ...``): there is no
  named-entity recognition. Nicknames and misspellings of a known name are missed.
- Companies of notes without front matter, and companies mentioned in passing.
- Local phone numbers without an area code (555-0142), and numbers that no numbering
  plan allows (libphonenumber's VALID leniency).
- Emails spelled ``jane at example dot com`` without brackets, web addresses, postal
  addresses, account numbers and other identifiers.
- Speaker labels in ALL CAPS (``DANA CHO:``) unless the name is known from front
  matter, and labels used only once outside a transcript.
- Note ids: they are the file names and are sent with every note; a warning names the
  note ids that contain a redacted name, so the files can be renamed.
- Other front-matter fields (role, tags) and the ICP.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from personagen.models.note import Note
from personagen.redact_spelling import given_names

_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\u2019.-][^\W\d_]+)*\.?")
_HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir dame jr sr ii iii iv phd md mba esq".split())
_LEGAL_SUFFIX = re.compile(
    r"[\s,]+(?:inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|gmbh|ag|"
    r"sa|sas|sarl|bv|nv|plc|pty|oy|ab|as|srl|spa|kg)\.?$",
    re.IGNORECASE,
)
_GENERIC_COMPANY_WORDS = frozenset(
    "the a an first general american national global united international new north south "
    "east west central digital data software systems solutions services group partners "
    "bank capital health my our open smart".split()
)
_GENERIC_LABELS = frozenset(
    "interviewer interviewee interview q a question answer speaker moderator host customer "
    "client participant respondent user me you us we i note notes agent rep guest caller "
    "unknown date time company role title name summary background context takeaway "
    "takeaways quote quotes pain pains goal goals objection objections tags tag location "
    "duration attendees source product pricing team other update status response comment "
    "comments example todo subject from to cc bcc sent re fyi ps nb tldr action next "
    "steps items follow up agenda outcome outcomes insight insights observation "
    "observations problem problems question questions answers".split()
)
# Header lines that name the interviewee: 'Interviewee: Tom Brennan, Marketing Ops'.
_HEADER_FIELD = re.compile(
    r"^[ \t#>*_-]*(?:interviewee|participant|respondent|contact|name)(?:[ \t]+name)?"
    r"[ \t]*[:=][ \t]*(?P<value>.+)$",
    re.IGNORECASE | re.MULTILINE,
)
# Titles: '# Interview: Helen Okafor, CFO', 'Customer interview - Jamie Cole', 'Interview with X'.
_HEADER_TITLE = re.compile(
    r"^[ \t#>*_-]*(?:[^\W\d_]+[ \t]+){0,3}?interview(?:[ \t]+notes)?"
    r"(?:[ \t]+with[ \t]+|[ \t]*[-\u2013\u2014:][ \t]*)(?P<value>.+)$",
    re.IGNORECASE | re.MULTILINE,
)
_NAME_END = ",;:()[]|/-\u2013\u2014"
_LABEL = re.compile(
    r"^[ \t]*(?:[-*>][ \t]*)?(?:\*\*)?(?P<label>[^\W\d_](?:[^\W\d_]|['\u2019 .-]){0,40}?)"
    r"(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]+\S",
    re.MULTILINE,
)
_TRANSCRIPTS = ("vtt", "srt")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class RedactionReport:
    """What was replaced: occurrence counts per kind, and the placeholders given out."""

    emails: int = 0
    phones: int = 0
    names: int = 0
    companies: int = 0
    # original (normalized) -> placeholder; in memory only, never written or shown.
    placeholders: dict[str, str] = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)

    def summary(self, *, company: bool = False) -> str:
        """One line for the user, e.g. 'redacted 2 emails, 1 phones, 5 names'."""
        line = f"redacted {self.emails} emails, {self.phones} phones, {self.names} names"
        return f"{line}, {self.companies} companies" if company else line


@dataclass(eq=False)
class Entity:
    """A person or company and the spellings under which it is replaced."""

    placeholder: str
    full: list[str]  # whole names, matched in any case and with any spacing
    parts: list[str]  # single words, matched as written or in capitals


class Placeholders:
    """Hands out stable, numbered placeholders per kind."""

    def __init__(self, report: RedactionReport) -> None:
        self.report = report
        self.counts: dict[str, int] = {}

    def get(self, kind: str, key: str) -> str:
        """The placeholder for `key` of `kind`, e.g. '[PERSON-1]'; the same key, the same one."""
        table_key = f"{kind}:{key}"
        found = self.report.placeholders.get(table_key)
        if found is None:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            found = f"[{kind}-{self.counts[kind]}]"
            self.report.placeholders[table_key] = found
        return found


def _name_words(name: str) -> list[str]:
    words = [w.rstrip(".") for w in _NAME_WORD.findall(name)]
    return [w for w in words if len(w) > 1 and w.casefold() not in _HONORIFICS]


def find_people(notes: Sequence[Note], numbering: Placeholders) -> dict[str, list[Entity]]:
    """Per note id, the people found in it: front matter first, then headers and labels.

    A name whose words all belong to someone already known ('Helen' after 'Helen Okafor')
    is that person, not a new one.
    """
    lower_words = {word for note in notes for word in _WORD.findall(note.text) if word.islower()}
    found: dict[str, list[Entity]] = {}
    known: list[Entity] = []
    for note in notes:
        names: list[str] = []
        if note.meta.interviewee:
            names.append(note.meta.interviewee)
        names += _header_names(note.text)
        names += _speaker_names(note, lower_words)
        entities: list[Entity] = []
        for name in names:
            words = _name_words(name)
            if not words:
                continue
            spellings = [name.strip(), " ".join(words)] if len(words) > 1 else []
            candidates = entities + [e for e in known if e not in entities]
            entity = next((e for e in candidates if set(words) <= set(e.parts)), None)
            if entity is None:
                placeholder = numbering.get("PERSON", " ".join(words).casefold())
                entity = next((e for e in known if e.placeholder == placeholder), None)
            if entity is None:
                entity = Entity(placeholder, [], [])
                known.append(entity)
            entity.full += [f for f in dict.fromkeys(spellings) if f not in entity.full]
            parts = words + [given for word in words for given in given_names(word)]
            entity.parts += [w for w in dict.fromkeys(parts) if w not in entity.parts]
            if entity not in entities:
                entities.append(entity)
        found[note.id] = entities
    return found


def _leading_name(value: str) -> str | None:
    """The capitalised words a header value starts with: 'Tom Brennan, CFO' -> 'Tom Brennan'.

    The name must end the value or be followed by punctuation, so a sentence
    ('Honestly I think ...') is not taken for a name.
    """
    tokens = value.split()
    words: list[str] = []
    ended = False
    for raw in tokens[:4]:
        word = raw.rstrip(_NAME_END)
        if not _is_name_word(word) or word.casefold().rstrip(".") in _GENERIC_LABELS:
            break
        words.append(word)
        if raw != word:
            ended = True
            break
    if not words:
        return None
    rest = tokens[len(words) :]
    if ended or not rest or rest[0][:1] in _NAME_END:
        return " ".join(words)
    return None


def _is_name_word(word: str) -> bool:
    """Capitalised like a name: 'Tom', "O'Brien", 'Anne-Marie', 'J.'; not 'CFO' or 'and'."""
    core = word.rstrip(".")
    if not core or not _NAME_WORD.fullmatch(word) or not core[0].isupper():
        return False
    return len(core) == 1 or not core.isupper()


def _header_names(text: str) -> list[str]:
    names: list[str] = []
    for pattern in (_HEADER_FIELD, _HEADER_TITLE):
        for match in pattern.finditer(text):
            name = _leading_name(match.group("value"))
            if name:
                names.append(name)
    return names


def _speaker_names(note: Note, lower_words: set[str]) -> list[str]:
    counts: dict[str, int] = {}
    for match in _LABEL.finditer(note.text):
        label = " ".join(match.group("label").split())
        counts[label] = counts.get(label, 0) + 1
    needed = 1 if note.source_format in _TRANSCRIPTS else 2
    names: list[str] = []
    for label, count in counts.items():
        words = label.split()
        if count < needed or not 1 <= len(words) <= 3:
            continue
        if not all(_is_name_word(w) for w in words):
            continue
        if any(w.casefold().rstrip(".") in _GENERIC_LABELS for w in words):
            continue
        if len(words) == 1 and label.lower() in lower_words:
            continue  # an ordinary word used as a heading, e.g. 'Pricing:'
        names.append(label)
    return names


def find_companies(notes: Sequence[Note], numbering: Placeholders) -> list[Entity]:
    """The companies named in the notes' front matter, each with its short and first-word forms."""
    companies: list[Entity] = []
    for note in notes:
        name = (note.meta.company or "").strip()
        if not name:
            continue
        short = _LEGAL_SUFFIX.sub("", name).strip(" ,")
        placeholder = numbering.get("COMPANY", " ".join(short.split()).casefold())
        full = list(dict.fromkeys(n for n in (name, short) if n))
        words = short.split()
        parts: list[str] = []
        if len(words) == 1:
            parts.append(words[0])
            full = [name] if name != short else []
        elif (
            len(words[0]) >= 4
            and words[0][:1].isupper()
            and words[0].casefold() not in _GENERIC_COMPANY_WORDS
        ):
            parts.append(words[0])
        entity = next((c for c in companies if c.placeholder == placeholder), None)
        if entity is None:
            companies.append(Entity(placeholder, full, parts))
        else:
            entity.full += [f for f in full if f not in entity.full]
            entity.parts += [p for p in parts if p not in entity.parts]
    return companies
