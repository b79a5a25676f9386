"""The door: the only package that talks to a model."""
