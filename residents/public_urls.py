"""Public resident pages under /r/<estate code>/ (no login)."""

app_name = "public"
urlpatterns: list = []
