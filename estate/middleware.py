"""The project's middleware: the estate a staff member is working in (the estate switcher, on
``request.estate``), request limits, and Django's session, message and authentication
middleware made to step aside for a bearer-token API call, which uses none of them."""

from csp import middleware as csp_middleware
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.utils.functional import SimpleLazyObject

SESSION_KEY = "current_estate_id"


def bearer_api(request) -> bool:
    """An API call that carries ``Authorization: Bearer``: the token is its whole credential,
    so it has no session to load or save, no flash messages and no login cookie to read."""
    flag = request.__dict__.get("_ed_bearer_api")
    if flag is None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        flag = request.path_info.startswith("/api/") and header[:7].lower() == "bearer "
        request._ed_bearer_api = flag
    return flag


class _PassBearerApi:
    """Lets a bearer-token API call through without the middleware's work (each class below
    is Django's own, so the admin's checks and every page behave as before)."""

    def __call__(self, request):
        if bearer_api(request):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(_PassBearerApi, sessions_middleware.SessionMiddleware):
    pass


class MessageMiddleware(_PassBearerApi, messages_middleware.MessageMiddleware):
    pass


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, except that a bearer-token API call starts anonymous and the token
    authenticates it (estate.api.TokenAuth): an unknown token is a 401, never a fall-back to
    a session cookie sent beside it."""

    def __call__(self, request):
        if bearer_api(request):
            request.user = AnonymousUser()
            return self.get_response(request)
        return super().__call__(request)


_PER_VIEW_POLICY = tuple(
    f"_csp_{part}{ro}" for part in ("config", "update", "replace") for ro in ("", "_ro")
)


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's, with the policy's text built once per process (and per settings object)
    for a response with no nonce and no per-view policy — every API answer: building it and
    its report-only twin was about a tenth of a short API call's CPU. Anything else (a nonce,
    ``@csp_update`` and the like) goes through django-csp's own code."""

    _texts: dict = {}

    def process_response(self, request, response):
        from csp.constants import HEADER, HEADER_REPORT_ONLY
        from csp.utils import build_policy
        from django.conf import settings

        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_VIEW_POLICY
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        policy_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        key = (id(policy), id(policy_ro))
        texts = self._texts.get(key)
        if texts is None:
            if len(self._texts) > 32:
                self._texts.clear()
            # the settings objects are kept with their texts: their ids stay theirs
            texts = (policy, policy_ro, build_policy(), build_policy(report_only=True))
            self._texts[key] = texts
        for header, text, config, exempt in (
            (HEADER, texts[2], policy, "_csp_exempt"),
            (HEADER_REPORT_ONLY, texts[3], policy_ro, "_csp_exempt_ro"),
        ):
            if not text or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (config or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = text
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


def _current_estate(request):
    from estate.scoping import estates_for

    user = request.user
    if not user.is_authenticated:
        return None
    estates = estates_for(user)
    session = getattr(request, "session", None)  # a bearer-token API call has none
    chosen = session.get(SESSION_KEY) if session is not None else None
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
