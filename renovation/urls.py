"""Staff and public pages of renovation."""

app_name = "renovation"
urlpatterns: list = []
