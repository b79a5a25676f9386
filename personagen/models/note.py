"""A customer-interview note, as read from a file."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AliasChoices, Field, field_validator

from personagen.languages import LanguageTag
from personagen.models.base import StrictModel

NoteFormat = Literal["md", "txt", "vtt", "srt", "docx"]


class NoteMeta(StrictModel):
    """Optional front matter of a Markdown note.

    `source`, `licence` and `tags` describe the note for people (where it came from, on
    what terms it may be used): they are kept in the persona's provenance and never sent
    to the model.
    """

    interviewee: str | None = Field(default=None, description="Name of the person interviewed.")
    interviewer: str | None = Field(
        default=None,
        description="Name or label of the interviewer (several: separated by commas).",
    )
    role: str | None = Field(default=None, description="Job title of the interviewee.")
    language: LanguageTag | None = Field(
        default=None,
        description="Language the interviewee speaks, a BCP 47 tag (de, fr-CA); quotes stay "
        "in it, whatever language personas are written in.",
    )
    company: str | None = Field(default=None, description="Company of the interviewee.")
    date: dt.date | None = Field(default=None, description="Date of the interview.")
    source: str | None = Field(
        default=None, description="Where the note comes from, e.g. 'Gong call 2024-05-02'."
    )
    licence: str | None = Field(
        default=None,
        validation_alias=AliasChoices("licence", "license"),
        description="Terms the note may be used on, e.g. 'internal use only' (or 'license').",
    )
    tags: list[str] = Field(
        default_factory=list, description="Free labels for people, e.g. [pilot, churned]."
    )

    @field_validator("tags", mode="before")
    @classmethod
    def _one_tag(cls, value: object) -> object:
        # `tags: pilot` means one tag, not a list of letters.
        return [value] if isinstance(value, str) else value


class SpeakerRoles(StrictModel):
    """Which speaker labels or names are the interviewee and which the interviewer."""

    interviewee: list[str] = Field(
        default_factory=list,
        description="Labels or names of the people interviewed (case-insensitive).",
    )
    interviewer: list[str] = Field(
        default_factory=list,
        description="Labels or names of the people asking the questions (case-insensitive).",
    )


class Note(StrictModel):
    """One interview note: the only source a persona claim may cite."""

    id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Unique id, the file name without its extension.",
    )
    text: str = Field(min_length=1, description="The note's text (transcripts without timings).")
    meta: NoteMeta = Field(default_factory=NoteMeta)
    source_format: NoteFormat
    path: str | None = Field(default=None, description="File the note was read from.")
