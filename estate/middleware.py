"""The estate a staff member is working in (the estate switcher), on ``request.estate``."""

from django.utils.functional import SimpleLazyObject

SESSION_KEY = "current_estate_id"


def _current_estate(request):
    from estate.scoping import estates_for

    user = request.user
    if not user.is_authenticated:
        return None
    estates = estates_for(user)
    chosen = request.session.get(SESSION_KEY)
    estate = estates.filter(pk=chosen).first() if chosen else None
    return estate or estates.order_by("code").first()


class CurrentEstateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.estate = SimpleLazyObject(lambda: _current_estate(request))
        return self.get_response(request)
