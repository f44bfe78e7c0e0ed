"""The contributor side: reading table definitions, validating, the checks, building, the data dictionary, releasing.

Needs the `validate` extra. The reading side (`clusterdata.load`, `describe`, `cite`, `search`, `annotations`,
`export`, versions) never imports this package; `clusterdata.cli` reaches it only for the contributor's verbs.
"""
