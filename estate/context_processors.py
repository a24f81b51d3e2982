from estate import nav, scoping


def staff_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/r/"):
        return {}
    estate = getattr(request, "estate", None)
    estate = estate if estate else None
    return {
        "current_estate": estate,
        "my_estates": scoping.estates_for(user).order_by("code"),
        "my_role": scoping.role_in(user, estate) if estate else None,
        "nav_items": nav.items_for(user, estate),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
