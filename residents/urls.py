"""Staff pages of the resident files."""

from django.urls import path

from residents.views import access, accuracy, files, imports

app_name = "residents"
urlpatterns = [
    path("", files.resident_list, name="list"),
    path("new/", files.resident_new, name="new"),
    path("export.csv", files.resident_export_csv, name="export_csv"),
    path("export.xlsx", files.resident_export_xlsx, name="export_xlsx"),
    path("<int:resident_id>/", files.resident_detail, name="detail"),
    path("<int:resident_id>/edit/", files.resident_edit, name="edit"),
    path("duplicates/", accuracy.duplicates, name="duplicates"),
    path("duplicates/merge/", accuracy.merge, name="merge"),
    path("incomplete/", accuracy.incomplete, name="incomplete"),
    path("import/", imports.import_page, name="import"),
    path("import/template.xlsx", imports.import_template, name="import_template"),
    path("import/<int:job_id>/", imports.import_job, name="import_job"),
    path("import/<int:job_id>/confirm/", imports.import_confirm, name="import_confirm"),
    path("access-log/", access.access_log, name="access_log"),
    path("access-log.csv", access.access_log_csv, name="access_log_csv"),
    path("access-log.xlsx", access.access_log_xlsx, name="access_log_xlsx"),
]
