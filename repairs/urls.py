"""Staff pages of repairs."""

from django.urls import path

from repairs.views import config, desk, queue, ticket

app_name = "repairs"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("tickets.csv", queue.queue_csv, name="queue_csv"),
    path("tickets.xlsx", queue.queue_xlsx, name="queue_xlsx"),
    path("mine/", queue.my_tickets, name="mine"),
    path("new/", desk.desk, name="desk"),
    path("new/search/", desk.desk_search, name="desk_search"),
    path("new/pick/", desk.desk_pick, name="desk_pick"),
    path("new/categories/", desk.desk_categories, name="desk_categories"),
    path("new/deadlines/", desk.desk_deadlines, name="desk_deadlines"),
    path("<int:ticket_id>/", ticket.ticket_detail, name="ticket_detail"),
    path("<int:ticket_id>/do/<slug:action>/", ticket.ticket_action, name="ticket_action"),
    path("<int:ticket_id>/photos/<int:photo_id>/", ticket.ticket_photo, name="ticket_photo"),
    path("samples/", config.samples, name="samples"),
    path("calendar/", config.calendar_page, name="calendar"),
    path("calendar/import/", config.calendar_import, name="calendar_import"),
    path("calendar/day/", config.calendar_day, name="calendar_day"),
    path("calendar/hours/", config.calendar_hours, name="calendar_hours"),
    path("categories/", config.category_list, name="categories"),
    path("categories/new/", config.category_new, name="category_new"),
    path("categories/<int:category_id>/", config.category_edit, name="category_edit"),
    path("templates/", config.template_list, name="templates"),
    path("templates/<int:template_id>/", config.template_edit, name="template_edit"),
    path(
        "templates/<int:template_id>/delete/",
        config.template_delete,
        name="template_delete",
    ),
]
