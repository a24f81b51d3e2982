"""Staff pages of repairs."""

from django.urls import path

from repairs import views, views_config, views_desk, views_ticket

app_name = "repairs"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.my_tickets, name="mine"),
    path("new/", views_desk.desk, name="desk"),
    path("new/search/", views_desk.desk_search, name="desk_search"),
    path("new/pick/", views_desk.desk_pick, name="desk_pick"),
    path("new/categories/", views_desk.desk_categories, name="desk_categories"),
    path("new/deadlines/", views_desk.desk_deadlines, name="desk_deadlines"),
    path("<int:ticket_id>/", views_ticket.ticket_detail, name="ticket_detail"),
    path("<int:ticket_id>/do/<slug:action>/", views_ticket.ticket_action, name="ticket_action"),
    path("<int:ticket_id>/photos/<int:photo_id>/", views_ticket.ticket_photo, name="ticket_photo"),
    path("samples/", views_config.samples, name="samples"),
    path("calendar/", views_config.calendar_page, name="calendar"),
    path("calendar/import/", views_config.calendar_import, name="calendar_import"),
    path("calendar/day/", views_config.calendar_day, name="calendar_day"),
    path("calendar/hours/", views_config.calendar_hours, name="calendar_hours"),
    path("categories/", views_config.category_list, name="categories"),
    path("categories/new/", views_config.category_new, name="category_new"),
    path("categories/<int:category_id>/", views_config.category_edit, name="category_edit"),
    path("templates/", views_config.template_list, name="templates"),
    path("templates/<int:template_id>/", views_config.template_edit, name="template_edit"),
    path(
        "templates/<int:template_id>/delete/",
        views_config.template_delete,
        name="template_delete",
    ),
]
