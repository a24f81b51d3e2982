"""Staff pages of the move-in handover (mounted at /movein/)."""

app_name = "movein"
urlpatterns: list = []
