"""Reading user files: the ICP and other structured inputs, and interview notes."""

from personagen.inputs.notes import load_notes
from personagen.inputs.structured import load_model

__all__ = ["load_model", "load_notes"]
