"""personagen: grounded B2B buyer personas and platform-valid campaign copy.

The library (the CLI is a thin layer over it)::

    import personagen

    result = personagen.build_personas("icp.yaml", "notes/", count=3, output="out/")
    copy = personagen.write_copy(result.personas, "brief.yaml", channels=["email", "x"])
    report = personagen.run_campaign("campaign.yaml", output="out/")

Names are imported on first use, so `import personagen` (and `personagen --help`) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "build_personas": "personagen.api",
    "build_personas_async": "personagen.api",
    "write_copy": "personagen.api",
    "write_copy_async": "personagen.api",
    "run_campaign": "personagen.api",
    "run_campaign_async": "personagen.api",
    "campaign_request": "personagen.run.request",
    "PersonasResult": "personagen.api",
    "CopyResult": "personagen.api",
    "RunReport": "personagen.run.outcomes",
    "ICP": "personagen.models.icp",
    "Note": "personagen.models.note",
    "SpeakerRoles": "personagen.models.note",
    "Persona": "personagen.models.persona",
    "Brief": "personagen.models.brief",
    "Campaign": "personagen.models.campaign",
    "CopyArtifact": "personagen.models.artifacts",
    "Settings": "personagen.settings",
    "resolve_settings": "personagen.inputs.settings",
    "load_notes": "personagen.inputs",
    "load_model": "personagen.inputs",
    "PersonagenError": "personagen.errors",
}
__all__ = [
    "__version__",
    "build_personas",
    "build_personas_async",
    "write_copy",
    "write_copy_async",
    "run_campaign",
    "run_campaign_async",
    "campaign_request",
    "PersonasResult",
    "CopyResult",
    "RunReport",
    "ICP",
    "Note",
    "SpeakerRoles",
    "Persona",
    "Brief",
    "Campaign",
    "CopyArtifact",
    "Settings",
    "resolve_settings",
    "load_notes",
    "load_model",
    "PersonagenError",
]

if TYPE_CHECKING:
    from personagen.api import (
        CopyResult,
        PersonasResult,
        build_personas,
        build_personas_async,
        run_campaign,
        run_campaign_async,
        write_copy,
        write_copy_async,
    )
    from personagen.errors import PersonagenError
    from personagen.inputs import load_model, load_notes
    from personagen.inputs.settings import resolve_settings
    from personagen.models.artifacts import CopyArtifact
    from personagen.models.brief import Brief
    from personagen.models.campaign import Campaign
    from personagen.models.icp import ICP
    from personagen.models.note import Note, SpeakerRoles
    from personagen.models.persona import Persona
    from personagen.run.outcomes import RunReport
    from personagen.run.request import campaign_request
    from personagen.settings import Settings


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'personagen' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
