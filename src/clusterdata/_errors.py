"""The errors clusterdata raises (kept apart so that `import clusterdata` imports nothing else)."""


class UnknownTableError(LookupError):
    """A table name that is not in the catalog."""


class IntegrityError(OSError):
    """A data file whose bytes are not those datapackage.json records (corrupted or replaced)."""
