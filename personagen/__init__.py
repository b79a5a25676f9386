"""personagen: grounded B2B buyer personas and platform-valid campaign copy."""

__version__ = "0.1.0"
