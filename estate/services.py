"""Every write of the estate app: KPI snapshots, API tokens, notifications."""

import secrets
from decimal import Decimal

from django.db import connections, router, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import kpi
from estate.errors import DomainError
from estate.kpi_selectors import members_flagged
from estate.models import (
    ApiToken,
    Estate,
    KpiMember,
    KpiMonth,
    KpiMonthLog,
    KpiSnapshot,
    Membership,
    Notification,
    Role,
    Unit,
)
from estate.tokens import token_hash


def _month_locked(estate: Estate, label: str) -> KpiMonth:
    """The estate-month's row, created if missing, locked for this transaction."""
    KpiMonth.objects.get_or_create(estate=estate, period=label)
    return KpiMonth.objects.select_for_update().get(estate=estate, period=label)


_MEMBER_COLUMNS = "(month_id, source, object_id, flags, amount_num, amount_den)"


def _members_insert(*, month: KpiMonth, cohort: kpi.Cohort, estate: Estate, period) -> None:
    """INSERT ... SELECT of the cohort's counted records into ``KpiMember``: one statement, the
    rows never travel through Python (a month of a big estate is tens of thousands)."""
    rows = cohort.rows(estate=estate, period=period)
    qs = members_flagged(rows, cohort=cohort, period=period).values_list("pk", "_kf", "_kn", "_kd")
    alias = router.db_for_write(KpiMember)
    sql, params = qs.query.get_compiler(using=alias).as_sql()
    table = connection_quote(alias, KpiMember._meta.db_table)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} {_MEMBER_COLUMNS} SELECT %s, %s, sub.* FROM ({sql}) sub",
            (month.pk, cohort.source, *params),
        )


def _members_insert_many(*, cohort: kpi.Cohort, months: list[tuple[Estate, kpi.Period, KpiMonth]]):
    """``_members_insert`` of many months of a cohort whose records each belong to one month
    (``Cohort.month_field``): one INSERT ... SELECT per batch and zone, each row sent to its
    estate-month by a join with the months' (estate, bucket, month id)."""
    jobs = [(estate, period) for estate, period, _month in months]
    batches, alone = kpi.month_batches(jobs)
    for i in alone:
        estate, period, month = months[i]
        _members_insert(month=month, cohort=cohort, estate=estate, period=period)
    alias = router.db_for_write(KpiMember)
    quote = connections[alias].ops.quote_name
    table = quote(KpiMember._meta.db_table)
    for batch in batches:
        targets = []
        for i in batch.indices:
            estate, period, month = months[i]
            targets.append((estate.pk, batch.bucket_of(i), month.pk))
        bucket = batch.bucket(cohort.month_field, estate_field=cohort.estate_field)
        for ids, span in batch.zone_spans():
            rows = cohort.rows(estate=ids, period=span).annotate(
                _kid=F("pk"), _ke=F(cohort.estate_field), _kb=bucket
            )
            qs = members_flagged(rows, cohort=cohort, period=span).values_list(
                "_kid", "_kf", "_kn", "_kd", "_ke", "_kb"
            )
            sql, params = qs.query.get_compiler(using=alias).as_sql()
            zone = [t for t in targets if t[0] in set(ids)]
            values = ", ".join(["(%s, %s, %s)"] * len(zone))
            with connections[alias].cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} {_MEMBER_COLUMNS} "
                    f"SELECT m.column3, %s, sub.{quote('_kid')}, sub.{quote('_kf')}, "
                    f"sub.{quote('_kn')}, sub.{quote('_kd')} FROM ({sql}) sub "
                    f"JOIN (VALUES {values}) m "
                    f"ON m.column1 = sub.{quote('_ke')} AND m.column2 = sub.{quote('_kb')}",
                    (cohort.source, *params, *[v for t in zone for v in t]),
                )


def connection_quote(alias: str, name: str) -> str:
    return connections[alias].ops.quote_name(name)


def _members_ratios(*, month: KpiMonth, cohort: kpi.Cohort) -> dict[str, dict[str, Decimal]]:
    """{key: {part: figure}} of one cohort, aggregated from its stored members (one query):
    the snapshot's figure IS the size of its drill-down."""
    aggregates = {}
    for i, part in enumerate(cohort.parts):
        bit = 1 << i
        counted = Q(Exact(F("flags").bitand(bit), bit))
        if part.money:
            column = "amount_num" if part.part == "numerator" else "amount_den"
            aggregates[f"p{i}"] = Sum(column, filter=counted)
        else:
            aggregates[f"p{i}"] = Count("id", filter=counted)
    row = KpiMember.objects.filter(month=month, source=cohort.source).aggregate(**aggregates)
    out: dict[str, dict[str, Decimal]] = {}
    for i, part in enumerate(cohort.parts):
        out.setdefault(part.key, {})[part.part] = Decimal(row[f"p{i}"] or 0)
    return out


def _members_ratios_many(*, month_ids: list[int], cohort: kpi.Cohort) -> dict[int, dict]:
    """``_members_ratios`` of many months (one query grouped by month): ``{month id: {key:
    {part: figure}}}``."""
    aggregates = {}
    for i, part in enumerate(cohort.parts):
        bit = 1 << i
        counted = Q(Exact(F("flags").bitand(bit), bit))
        if part.money:
            column = "amount_num" if part.part == "numerator" else "amount_den"
            aggregates[f"p{i}"] = Sum(column, filter=counted)
        else:
            aggregates[f"p{i}"] = Count("id", filter=counted)
    rows = {
        row["month_id"]: row
        for row in KpiMember.objects.filter(month_id__in=month_ids, source=cohort.source)
        .values("month_id")
        .annotate(**aggregates)
        .order_by()
    }
    out: dict[int, dict] = {}
    for month_id in month_ids:
        row = rows.get(month_id, {})
        figures: dict[str, dict[str, Decimal]] = {}
        for i, part in enumerate(cohort.parts):
            figures.setdefault(part.key, {})[part.part] = Decimal(row.get(f"p{i}") or 0)
        out[month_id] = figures
    return out


def _snapshots_store_many(*, months: list[tuple[Estate, kpi.Period, KpiMonth]]) -> None:
    """``_snapshot_store`` of many months at once (inside the caller's transaction, the month
    rows locked): the records of a cohort whose rows each belong to one month are stored by one
    statement per batch, the figures of each cohort read back by one query grouped by month,
    the keys without membership computed by ``kpi.compute_many``; the same rows as storing
    each month alone."""
    keys = [m.key for m in kpi.metrics()]
    with_members = kpi.with_membership(keys)
    month_ids = [month.pk for _e, _p, month in months]
    KpiMember.objects.filter(month_id__in=month_ids).delete()
    parts: dict[int, dict[str, dict[str, Decimal]]] = {pk: {} for pk in month_ids}
    for cohort in kpi.cohorts():
        if not any(p.key in with_members for p in cohort.parts):
            continue
        if cohort.month_field:
            _members_insert_many(cohort=cohort, months=months)
        else:
            for estate, period, month in months:
                _members_insert(month=month, cohort=cohort, estate=estate, period=period)
        for month_id, figures in _members_ratios_many(month_ids=month_ids, cohort=cohort).items():
            for key, value in figures.items():
                parts[month_id].setdefault(key, {}).update(value)
    rest = [k for k in keys if k not in with_members]
    jobs = [(estate, period) for estate, period, _month in months]
    computed = kpi.compute_many(jobs, keys=rest) if rest else [{} for _ in months]
    rows = []
    for (estate, period, month), results in zip(months, computed, strict=True):
        for key in with_members:
            figures = parts[month.pk][key]
            results[key] = kpi.Ratio(figures["numerator"], figures["denominator"])
        rows += _snapshot_rows(estate=estate, period=period, keys=keys, results=results)
    _snapshots_upsert(rows)
    for _estate, period, month in months:
        month.computed_at = period.now
        month.recompute_requested_at = None
    KpiMonth.objects.bulk_update(
        [month for _e, _p, month in months], ["computed_at", "recompute_requested_at"]
    )


def _snapshot_rows(*, estate: Estate, period: kpi.Period, keys, results) -> list[KpiSnapshot]:
    """The snapshot rows of one estate-month: one per key computed."""
    return [
        KpiSnapshot(
            estate=estate,
            period=period.label,
            key=key,
            numerator=results[key].numerator,
            denominator=results[key].denominator,
            rate=results[key].rate,
            computed_at=period.now,
        )
        for key in keys
        if key in results
    ]


def _snapshots_upsert(rows: list[KpiSnapshot]) -> None:
    """Insert the rows or overwrite the stored figures of the same estate, period and key."""
    KpiSnapshot.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["estate", "period", "key"],
        update_fields=["numerator", "denominator", "rate", "computed_at"],
    )


def _snapshot_store(*, estate: Estate, period: kpi.Period, month: KpiMonth) -> list[KpiSnapshot]:
    """Recompute the month's membership and figures and store them (inside the caller's
    transaction, the month row locked)."""
    keys = [m.key for m in kpi.metrics()]
    with_members = kpi.with_membership(keys)
    KpiMember.objects.filter(month=month).delete()
    parts: dict[str, dict[str, Decimal]] = {}
    for cohort in kpi.cohorts():
        if not any(p.key in with_members for p in cohort.parts):
            continue
        _members_insert(month=month, cohort=cohort, estate=estate, period=period)
        for key, figures in _members_ratios(month=month, cohort=cohort).items():
            parts.setdefault(key, {}).update(figures)
    rest = [k for k in keys if k not in with_members]
    results = kpi.compute_all(estate=estate, period=period, keys=rest) if rest else {}
    for key in with_members:
        results[key] = kpi.Ratio(parts[key]["numerator"], parts[key]["denominator"])
    rows = _snapshot_rows(estate=estate, period=period, keys=keys, results=results)
    _snapshots_upsert(rows)
    month.computed_at = period.now
    month.recompute_requested_at = None
    month.save(update_fields=["computed_at", "recompute_requested_at"])
    return rows


def _log(month: KpiMonth, action: str, *, by=None, reason: str = "", at=None) -> KpiMonthLog:
    return KpiMonthLog.objects.create(
        month=month,
        action=action,
        at=at or timezone.now(),
        user=by if by is not None and by.is_authenticated else None,
        user_name=getattr(by, "username", "") or "",
        reason=reason[:200],
    )


@transaction.atomic
def kpi_snapshot_compute(
    *, estate: Estate, period: kpi.Period, by=None, allow_frozen: bool = False
) -> list[KpiSnapshot]:
    """Compute every registered metric of one estate and month and store them together, with
    the records each counted (``KpiMember``), in one transaction: a run killed half-way leaves
    the previous snapshot whole; running twice or concurrently leaves the same rows (the month
    row is locked, the figures upserted on estate+period+key).

    A frozen month is refused (unfreeze it first, ``kpi_month_unfreeze``); a date range has no
    snapshot."""
    if not period.is_month:
        raise DomainError("invalid", "only a month has a stored snapshot", field="period")
    month = _month_locked(estate, period.label)
    if month.state == KpiMonth.State.FROZEN and not allow_frozen:
        raise DomainError(
            "frozen",
            _("%(period)s is closed; unfreeze it to recompute.") % {"period": period.label},
            field="period",
        )
    rows = _snapshot_store(estate=estate, period=period, month=month)
    if by is not None:
        _log(month, KpiMonthLog.Action.RECOMPUTED, by=by, at=period.now)
    return rows


@transaction.atomic
def kpi_snapshots_compute(*, jobs: list[tuple[Estate, kpi.Period]]) -> int:
    """``kpi_snapshot_compute`` of many estate-months in one transaction (the refresh, the
    command): the months' rows created where missing and locked in one order, frozen ones left
    alone, then every figure and record stored by ``_snapshots_store_many``. Returns how many
    months were written."""
    if any(not period.is_month for _e, period in jobs):
        raise DomainError("invalid", "only a month has a stored snapshot", field="period")
    if not jobs:
        return 0
    KpiMonth.objects.bulk_create(
        [KpiMonth(estate=estate, period=period.label) for estate, period in jobs],
        ignore_conflicts=True,
    )
    wanted = {(estate.pk, period.label) for estate, period in jobs}
    locked = {
        (m.estate_id, m.period): m
        for m in KpiMonth.objects.select_for_update()
        .filter(estate_id__in={e for e, _label in wanted}, period__in={p for _e, p in wanted})
        .order_by("pk")
        if (m.estate_id, m.period) in wanted
    }
    months, seen = [], set()
    for estate, period in jobs:
        month = locked[(estate.pk, period.label)]
        if month.state == KpiMonth.State.FROZEN or month.pk in seen:
            continue
        seen.add(month.pk)
        months.append((estate, period, month))
    if months:
        _snapshots_store_many(months=months)
    return len(months)


@transaction.atomic
def kpi_month_freeze(*, estate: Estate, period: kpi.Period, by=None) -> KpiMonth:
    """Close a month: compute it a last time and keep that figure (and its records) however
    late data arrives. Done by the periodic task once the month's close day has passed, or by
    a manager for a month reopened earlier."""
    month = _month_locked(estate, period.label)
    if month.state == KpiMonth.State.FROZEN:
        return month
    _snapshot_store(estate=estate, period=period, month=month)
    month.state = KpiMonth.State.FROZEN
    month.frozen_at = period.now
    month.save(update_fields=["state", "frozen_at"])
    _log(month, KpiMonthLog.Action.FROZEN, by=by, at=period.now)
    return month


@transaction.atomic
def kpi_month_unfreeze(*, estate: Estate, period: kpi.Period, by, reason: str) -> KpiMonth:
    """Reopen a closed month (a manager, with a reason; logged who, when, why) and recompute
    it at once. A reopened month is kept fresh by the periodic task until frozen again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("invalid", _("Say why the month is reopened."), field="reason")
    month = _month_locked(estate, period.label)
    if month.state != KpiMonth.State.FROZEN:
        raise DomainError("not_frozen", _("This month is not frozen."), field="period")
    month.state = KpiMonth.State.REOPENED
    month.frozen_at = None
    month.save(update_fields=["state", "frozen_at"])
    _log(month, KpiMonthLog.Action.UNFROZEN, by=by, reason=reason, at=period.now)
    _snapshot_store(estate=estate, period=period, month=month)
    return month


def kpi_recompute_request(*, estate: Estate, period: kpi.Period, by) -> KpiMonth:
    """The "recompute" button: mark the month as waiting (the page shows it running until the
    task has stored the new figure); the caller then queues ``estate.tasks.recompute_kpi_month``.
    A frozen month is refused."""
    with transaction.atomic():
        month = _month_locked(estate, period.label)
        if month.state == KpiMonth.State.FROZEN:
            raise DomainError(
                "frozen",
                _("%(period)s is closed; unfreeze it to recompute.") % {"period": period.label},
                field="period",
            )
        month.recompute_requested_at = timezone.now()
        month.save(update_fields=["recompute_requested_at"])
    return month


def kpi_month_recompute(*, estate_id: int, label: str, user_id: int | None = None) -> int:
    """What the recompute task runs: the month's snapshot now (a frozen month is left alone)."""
    from django.contrib.auth import get_user_model

    estate = Estate.objects.get(pk=estate_id)
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    period = kpi.Period.month(estate.tz, label)
    try:
        kpi_snapshot_compute(estate=estate, period=period, by=by)
    except DomainError:
        KpiMonth.objects.filter(estate=estate, period=label).update(recompute_requested_at=None)
        return 0
    return 1


def kpi_snapshots_refresh(*, now=None, estates=None, periods: list[str] | None = None) -> int:
    """Keep every open month fresh: of each estate (or of those given), the current and the
    previous month and every month reopened or not yet closed; a month whose close day has
    passed is computed a last time and frozen. With ``periods``, exactly those months (frozen
    ones left alone). Returns how many estate-months were written."""
    from estate.kpi_selectors import month_closes_at

    now = now or timezone.now()
    written = 0
    fresh: list[tuple[Estate, kpi.Period]] = []
    for estate in estates if estates is not None else Estate.objects.all():
        if periods:
            labels = list(periods)
        else:
            current = kpi.Period.containing(estate.tz, now, now=now)
            labels = {current.previous().label, current.label}
            labels |= set(
                KpiMonth.objects.filter(
                    estate=estate, state__in=[KpiMonth.State.OPEN, KpiMonth.State.REOPENED]
                )
                .filter(period__lte=current.label)
                .values_list("period", flat=True)
            )
            labels = sorted(labels)
        states = dict(
            KpiMonth.objects.filter(estate=estate, period__in=labels).values_list("period", "state")
        )
        for label in labels:
            state = states.get(label, KpiMonth.State.OPEN)
            if state == KpiMonth.State.FROZEN:
                continue
            period = kpi.Period.month(estate.tz, label, now=now)
            if (
                not periods
                and state == KpiMonth.State.OPEN
                and now >= month_closes_at(estate, label)
            ):
                kpi_month_freeze(estate=estate, period=period)
                written += 1
            else:
                fresh.append((estate, period))
    # Every month kept fresh in one pass: one grouped statement per cohort, not per month.
    return written + kpi_snapshots_compute(jobs=fresh)


@transaction.atomic
def api_token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token for the user. The plain token is returned once and never stored."""
    if not user.is_active:
        raise DomainError("invalid", _("An inactive user cannot hold an API token."), field="user")
    token = "ed_" + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user, name=name[:64], prefix=token[:10], key_hash=token_hash(token)
    )
    return record, token


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Refuse the token from now on (kept for the record). Saving it marks its entry in the
    shared cache stale (estate.tokens), so the next request with it is refused."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def notifications_mark_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notify_roles(
    *, estate: Estate, roles: list[str], title: str, body: str = "", link: str = ""
) -> int:
    """An in-app notification for every staff member of the estate holding one of the roles;
    returns how many were written. One ``INSERT … SELECT`` from the memberships: no round
    trip to read the members first, no objects built for them (a resident's every report
    notifies the desk)."""
    if not roles:
        return 0
    connection = connections[router.db_for_write(Notification)]
    qn = connection.ops.quote_name
    field = Notification._meta.get_field
    values = [
        estate.pk,
        field("created_at").get_db_prep_save(timezone.now(), connection),
        title[:200],
        body,
        link,
    ]
    roles = [str(role) for role in roles]
    sql = (
        f"INSERT INTO {qn(Notification._meta.db_table)} "
        f"({qn('user_id')}, {qn('estate_id')}, {qn('created_at')}, {qn('title')}, {qn('body')}, "
        f"{qn('link')}, {qn('read_at')}) "
        f"SELECT {qn('user_id')}, %s, %s, %s, %s, %s, NULL "
        f"FROM {qn(Membership._meta.db_table)} "
        f"WHERE {qn('estate_id')} = %s AND {qn('role')} IN ({', '.join(['%s'] * len(roles))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, estate.pk, *roles])
        return cursor.rowcount


def notify_managers(*, estate: Estate, title: str, body: str = "", link: str = ""):
    return notify_roles(
        estate=estate, roles=[Role.MANAGER, Role.ADMIN], title=title, body=body, link=link
    )


def unit_status_set(*, unit: Unit, status: str) -> Unit:
    """Set a unit's status (e.g. renovating while works run, occupied after acceptance).
    Called inside the caller's transaction by the module that owns the reason for it."""
    if status not in Unit.Status.values:
        raise DomainError("invalid", _("Unknown unit status."), field="status")
    Unit.objects.filter(pk=unit.pk).update(status=status)
    unit.status = status
    return unit
