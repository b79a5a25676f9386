"""Orchestration: the campaign request, jobs and their keys, the engine (concurrency,
resume, budget), Batch API runs, dry-run plans, and how jobs ended.

- `request`: the run of a campaign, built one way (`campaign_settings`, `campaign_request`);
- `engine`: jobs, their content keys, the run store, outputs;
- `batch`, `batch_answers`: the copy matrix through OpenAI's Batch API;
- `plan`: `--dry-run`, from the same prepared calls;
- `outcomes`: how each job ended, the run summary;
- `commands`: the `personas` and `copy` commands as engine runs.
"""
