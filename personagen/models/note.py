"""A customer-interview note, as read from a file."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from personagen.models.base import StrictModel

NoteFormat = Literal["md", "txt", "vtt", "srt"]


class NoteMeta(StrictModel):
    """Optional front matter of a Markdown note."""

    interviewee: str | None = Field(default=None, description="Name of the person interviewed.")
    interviewer: str | None = Field(
        default=None,
        description="Name or label of the interviewer (several: separated by commas).",
    )
    role: str | None = Field(default=None, description="Job title of the interviewee.")
    company: str | None = Field(default=None, description="Company of the interviewee.")
    date: dt.date | None = Field(default=None, description="Date of the interview.")
    tags: list[str] = Field(default_factory=list)


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
