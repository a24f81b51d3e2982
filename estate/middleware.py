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
            from django.http import HttpResponse, JsonResponse
            from django.utils.translation import gettext as _

            message = _("The request is too large (at most %(mb)d MB).") % {
                "mb": self.limit // (1024 * 1024)
            }
            if request.path.startswith("/api/"):  # the API's one error shape
                return JsonResponse(
                    {"code": "too_large", "message": message, "field": None}, status=413
                )
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class QueryTextMiddleware:
    """A query parameter holding a NUL byte (``?q=%00``) is a 400 before any view passes it to
    the database (PostgreSQL refuses such text with an error, not a result). Form fields are
    checked by their forms, the API's parameters by its parser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from estate.validators import has_bad_characters

        for key, values in request.GET.lists():
            if any(has_bad_characters(v) for v in (key, *values)):
                from django.http import HttpResponseBadRequest, JsonResponse
                from django.utils.translation import gettext as _

                message = _("The address contains characters that cannot be used.")
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": "invalid", "message": message, "field": key}, status=422
                    )
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
