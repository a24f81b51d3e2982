"""Staff and public pages of repairs."""

app_name = "repairs"
urlpatterns: list = []
