"""Data that marketers may change: channel limits and AI-sounding phrases (YAML files)."""
