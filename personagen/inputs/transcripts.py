"""Turn WebVTT and SRT subtitle transcripts into plain speaker-labelled text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from personagen.errors import InputError

_TIMESTAMP = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
# Settings (VTT `align:start`, SRT `X1:...`) may follow the end time.
_TIMING = re.compile(rf"{_TIMESTAMP}[ \t]*-->[ \t]*{_TIMESTAMP}(?:[ \t]+\S.*)?")
_STARTS_LIKE_TIME = re.compile(r"\d+:\d{2}")
_VTT_META_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
# `<v Name>` / `<v.class Name>` opens a voice span; `</v>` closes it.
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>|</v>")
_TAG = re.compile(r"<[^>\n]*>|\{\\[^}]*\}")
_LABEL = re.compile(r"([^\W\d_][\w .'()\[\]-]{0,40}?):[ \t]+(\S.*)")
_SHOWN_CHARS = 60

Segment = tuple[str | None, str]


def parse_vtt(text: str, source: str) -> str:
    """Plain text of a WebVTT transcript: header, notes, styles and timings dropped."""
    blocks = list(_blocks(text))
    if blocks and blocks[0][1][0].startswith("WEBVTT"):
        blocks = blocks[1:]
    segments: list[Segment] = []
    for start, lines in blocks:
        if _VTT_META_BLOCK.fullmatch(lines[0]):
            continue
        # An optional cue identifier may precede the timing line; a first line that starts
        # like a timestamp is a (maybe malformed) timing line, so errors point at it.
        first_is_timing = "-->" in lines[0] or _STARTS_LIKE_TIME.match(lines[0])
        timing = 0 if first_is_timing or len(lines) == 1 else 1
        segments += _cue_segments(lines, start, timing, source)
    return _merge(segments)


def parse_srt(text: str, source: str) -> str:
    """Plain text of an SRT transcript: indexes and timings dropped."""
    segments: list[Segment] = []
    for start, lines in _blocks(text):
        timing = 1 if lines[0].strip().isdigit() and len(lines) > 1 else 0
        segments += _cue_segments(lines, start, timing, source)
    return _merge(segments)


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Blank-line-separated blocks, each with the 1-based line number it starts on."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    block: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line.rstrip())
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _cue_segments(lines: list[str], start: int, timing: int, source: str) -> list[Segment]:
    line = lines[timing].strip()
    if not _TIMING.fullmatch(line):
        shown = line if len(line) <= _SHOWN_CHARS else line[: _SHOWN_CHARS - 3] + "..."
        raise InputError(
            source,
            f"line {start + timing}: malformed cue timing {shown!r}; "
            "expected e.g. '00:00:01.000 --> 00:00:04.000'",
        )
    return _segments("\n".join(lines[timing + 1 :]))


def _segments(cue: str) -> list[Segment]:
    """Split a cue's text into (speaker, text) pieces by voice tags and `Name:` labels."""
    spans: list[Segment] = []
    speaker: str | None = None
    position = 0
    for match in _VOICE.finditer(cue):
        spans.append((speaker, cue[position : match.start()]))
        speaker = (match.group(1) or "").strip() or None
        position = match.end()
    spans.append((speaker, cue[position:]))

    segments: list[Segment] = []
    for voice, span in spans:
        current: str | None = voice
        words: list[str] = []
        for raw in span.split("\n"):
            line = _clean(raw)
            label = _LABEL.fullmatch(line) if voice is None else None
            if label:
                segments.append((current, " ".join(words)))
                current, words = label.group(1).strip(), [label.group(2)]
            elif line:
                words.append(line)
        segments.append((current, " ".join(words)))
    return [(who, said) for who, said in segments if said]


def _clean(line: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", line)).split())


def _merge(segments: list[Segment]) -> str:
    """Join consecutive pieces by the same speaker into one paragraph each."""
    paragraphs: list[Segment] = []
    for speaker, said in segments:
        if paragraphs and paragraphs[-1][0] == speaker:
            paragraphs[-1] = (speaker, f"{paragraphs[-1][1]} {said}")
        else:
            paragraphs.append((speaker, said))
    return "\n\n".join(f"{who}: {said}" if who else said for who, said in paragraphs)
