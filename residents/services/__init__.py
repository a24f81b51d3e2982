"""Every write of resident files: files (create, update, history), merging duplicates,
showing a full number (logged) and spreadsheet imports."""

from residents.services.access import export_log, resident_reveal
from residents.services.files import (
    FileData,
    file_data_of,
    resident_create,
    resident_file_create,
    resident_update,
)
from residents.services.imports import (
    import_job_apply,
    import_job_check,
    import_job_confirm,
    import_job_start,
)
from residents.services.merge import resident_merge

__all__ = [
    "FileData",
    "export_log",
    "file_data_of",
    "import_job_apply",
    "import_job_check",
    "import_job_confirm",
    "import_job_start",
    "resident_create",
    "resident_file_create",
    "resident_merge",
    "resident_reveal",
    "resident_update",
]
