"""Outputs: JSON, Markdown, CSV and the HTML report. Every write is atomic."""

# Names in an output folder that `lint` must know without loading what writes them.
EVIDENCE_FILE = "evidence.csv"  # exports/: the chain of evidence, not copy
HISTORY = "history"  # personas/: earlier versions of refreshed personas
