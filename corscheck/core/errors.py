"""Errors the core raises for input no browser would accept."""


class InputError(ValueError):
    """Bad user input (malformed URL, origin, method or header): exit code 2, one line."""
