"""Staff and public pages of community."""

app_name = "community"
urlpatterns: list = []
