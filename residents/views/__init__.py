"""Staff pages of the resident files: the list and the file (files.py), accuracy (duplicates,
merge, incomplete files: accuracy.py), imports (imports.py) and the access log (access.py)."""
