"""Staff and public pages of fees."""

app_name = "fees"
urlpatterns: list = []
