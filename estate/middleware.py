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


class RequestSizeLimitMiddleware:
    """Refuse a request body over MAX_REQUEST_BYTES (413) before anything reads it: three 5 MB
    photos and a form fit, a 1 GB upload does not tie up a worker."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.limit = settings.MAX_REQUEST_BYTES

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            from django.http import HttpResponse
            from django.utils.translation import gettext as _

            return HttpResponse(
                _("The request is too large (at most %(mb)d MB).")
                % {"mb": self.limit // (1024 * 1024)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
