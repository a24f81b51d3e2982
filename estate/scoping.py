"""Estate scoping: every read of estate data goes through here.

A user of estate A who asks for a record of estate B gets 404, never the record; a company-wide
admin (superuser or the ``estate.view_all_estates`` permission) sees every estate.
"""

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.fixedsql import FixedSelect
from estate.models import Estate, Membership, Role


def is_company_admin(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_ed_company_admin", None)
    if cached is None:
        cached = user.is_superuser or user.has_perm("estate.view_all_estates")
        user._ed_company_admin = cached
    return cached


def roles_of(user) -> dict[int, str]:
    """{estate_id: role} for the user's memberships, cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_ed_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("estate_id", "role"))
        user._ed_roles = cached
    return cached


def role_in(user, estate: Estate | int) -> str | None:
    """The user's role in the estate; company-wide admins act as estate admins everywhere."""
    estate_id = estate if isinstance(estate, int) else estate.pk
    if is_company_admin(user):
        return Role.ADMIN
    return roles_of(user).get(estate_id)


def estates_for(user) -> QuerySet[Estate]:
    if is_company_admin(user):
        return Estate.objects.all()
    return Estate.objects.filter(pk__in=list(roles_of(user)))


def estate_path(model: type[Model]) -> str:
    """How a model reaches its estate: ``ESTATE_PATH`` on the model, else ``estate``."""
    return getattr(model, "ESTATE_PATH", "estate")


def for_user(qs: QuerySet | type[Model], user) -> QuerySet:
    """The queryset narrowed to the estates the user belongs to."""
    if not isinstance(qs, QuerySet):
        qs = qs._default_manager.all()
    path = "pk" if qs.model is Estate else estate_path(qs.model)
    if is_company_admin(user):
        return qs
    return qs.filter(**{f"{path}__in": list(roles_of(user))})


def get_scoped_or_404(qs: QuerySet | type[Model], user, **lookup):
    return get_object_or_404(for_user(qs, user), **lookup)


_BY_CODE = FixedSelect(Estate, "{code} = %s", limit=1)


def estate_by_code(user, code: str | None, *, field: str = "estate") -> Estate:
    """The estate with this code if the user may see it; an unknown code and another company
    estate both answer 404 (the same answer, so codes cannot be probed)."""
    if not code:
        raise DomainError("invalid", _("Choose an estate."), field=field)
    # The estate by its (unique) code, then the user's right to it, asked as ``estates_for``
    # asks it (company-wide first: no membership read for a company admin): what
    # ``estates_for(user).get(code=...)`` answers, without compiling a queryset each call.
    estate = _BY_CODE.first(code.strip().upper())
    if estate is None or not (is_company_admin(user) or estate.pk in roles_of(user)):
        raise Http404(f"No estate {code!r}")
    return estate


# Role matrix ----------------------------------------------------------------------------------
# action -> roles that may do it. Apps add their own actions with define(); company-wide
# admins may do everything.
_ACTIONS: dict[str, frozenset[str]] = {}


def define(action: str, roles: set[str] | frozenset[str]) -> None:
    _ACTIONS[action] = frozenset(str(r) for r in roles)


def actions() -> dict[str, frozenset[str]]:
    return dict(_ACTIONS)


def can(user, estate: Estate | int, action: str) -> bool:
    if action not in _ACTIONS:
        raise KeyError(f"undefined action {action!r}")
    if is_company_admin(user):
        return True
    role = role_in(user, estate)
    return role is not None and role in _ACTIONS[action]


def require(user, estate: Estate | int, action: str) -> None:
    if not can(user, estate, action):
        raise DomainError("forbidden", _("Your role does not allow this."), status=403)


ALL_ROLES = frozenset(Role.values)
define("estate.view", ALL_ROLES)
define("kpi.view", {Role.MANAGER, Role.ADMIN, Role.FINANCE, Role.FRONT_DESK})
define("kpi.recompute", {Role.MANAGER, Role.ADMIN})
define("kpi.targets", {Role.MANAGER, Role.ADMIN})
define("kpi.bulletin", {Role.MANAGER, Role.ADMIN})
define("personal_data.view_unmasked", {Role.MANAGER, Role.ADMIN, Role.FRONT_DESK})
define("personal_data.export", {Role.MANAGER, Role.ADMIN})


def estates_for_company() -> QuerySet[Estate]:
    """Every estate of the company, by code (the company bulletin and periodic work)."""
    return Estate.objects.order_by("code")
