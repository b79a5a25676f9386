"""Tasks: each is a prompt template, a response model and a validation context."""
