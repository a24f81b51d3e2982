"""Staff and public pages of residents."""

app_name = "residents"
urlpatterns: list = []
