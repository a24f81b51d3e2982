from estate import nav, scoping
from estate.models import Role


def staff_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/r/"):
        return {}
    estate = getattr(request, "estate", None)
    estate = estate if estate else None
    role = scoping.role_in(user, estate) if estate else None
    return {
        "current_estate": estate,
        "my_estates": scoping.estates_for(user).order_by("code"),
        # The role's name in the page's language, never its code (``front_desk``).
        "my_role": Role(role).label if role in Role.values else role,
        "nav_items": nav.items_for(user, estate),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
