"""The functional core: CORS rules as pure functions over plain data (standard library only, no I/O)."""
