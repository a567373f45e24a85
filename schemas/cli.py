"""validate command (minimal version)."""


def validate(file: str) -> None:
    """Validate FILE."""
