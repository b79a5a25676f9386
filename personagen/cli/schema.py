"""`personagen schema`: print the JSON Schema of a public model, or a commented YAML skeleton."""

from __future__ import annotations

import importlib
import json
from typing import Annotated, Literal

import typer

from personagen.cli.app import app, user_errors
from personagen.errors import InputError

PUBLIC_MODELS = {
    "icp": "personagen.models.icp:ICP",
    "note": "personagen.models.note:Note",
    "persona": "personagen.models.persona:Persona",
    "persona-draft": "personagen.models.persona:PersonaDraft",
    "brief": "personagen.models.brief:Brief",
    "email-sequence": "personagen.models.copy:EmailSequenceDraft",
    "google-rsa": "personagen.models.copy:GoogleRSA",
    "linkedin-ad": "personagen.models.copy:LinkedInAd",
    "meta-ad": "personagen.models.copy:MetaAd",
    "x-post": "personagen.models.copy:XPost",
    "battlecard": "personagen.models.copy:BattlecardDraft",
    "campaign": "personagen.models.campaign:Campaign",
}


@app.command()
@user_errors
def schema(
    model: Annotated[str, typer.Argument(help=f"One of: {', '.join(PUBLIC_MODELS)}.")],
    format: Annotated[
        Literal["json", "yaml"],
        typer.Option(
            "--format",
            help="json: the JSON Schema; yaml: a commented skeleton to fill in (every field "
            "with what it is and whether it is required).",
        ),
    ] = "json",
) -> None:
    """Print the JSON Schema of a model, or (--format yaml) a commented YAML skeleton.

    Example: personagen schema icp --format yaml > icp.yaml
    """
    target = PUBLIC_MODELS.get(model.lower())
    if target is None:
        raise InputError(
            "schema", f"unknown model '{model}'; choose from: {', '.join(PUBLIC_MODELS)}"
        )
    from personagen.models.contract import public_schema

    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if format == "yaml":
        from personagen.cli.schema_yaml import yaml_skeleton

        # The model's own schema: public_schema is the strict contract, every field required.
        typer.echo(yaml_skeleton(cls.model_json_schema()), nl=False)
    else:
        typer.echo(json.dumps(public_schema(cls), indent=2))
