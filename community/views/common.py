"""What the community staff pages share: an object of the user's estates (404 otherwise)
together with the role check."""

from django.http import Http404

from estate import scoping


def scoped(request, qs, action: str, **lookup):
    """(object, its estate, whether the role allows ``action``); another estate's object (or
    none) is a 404."""
    obj = scoping.for_user(qs, request.user).filter(**lookup).first()
    if obj is None:
        raise Http404
    estate = obj
    for part in scoping.estate_path(type(obj)).split("__"):
        estate = getattr(estate, part)
    return obj, estate, scoping.can(request.user, estate, action)
