"""Outputs: JSON, Markdown, CSV and the HTML report. Every write is atomic."""
