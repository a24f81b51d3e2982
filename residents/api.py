"""The residents API router, mounted under /api/v1/ by estate.api: list/search, detail, create,
update. Phones and ID numbers are masked in every answer; ``?reveal=phone`` (or ``id_number``,
``emergency_phone``) on the detail shows that one full value to managers and admins, logged,
and answers 403 to other roles."""

import datetime as dt

from ninja import Query, Router, Schema, Status
from pydantic import Field

from estate.models import Unit
from estate.schemas import ERRORS_4XX, EstateCode, HistoricDay, PageParams, paginate
from estate.scoping import estate_by_code, get_scoped_or_404, require
from residents import permissions as perm
from residents import selectors, services
from residents.models import Resident

router = Router(tags=["residents"])


class ResidentOut(Schema):
    id: int
    estate: str = Field(alias="estate.code")
    name: str
    kind: str
    phone: str = Field(alias="phone_masked", examples=["138****5678"])
    id_kind: str
    id_number: str = Field(alias="id_number_masked", examples=["110***********1234"])
    units: list[str]
    move_in_date: dt.date | None
    move_out_date: dt.date | None
    emergency_contact: str
    emergency_phone: str = Field(alias="emergency_phone_masked")
    parking_spaces: str
    notes: str

    @staticmethod
    def resolve_units(obj) -> list[str]:
        return [o.unit.number for o in getattr(obj, "current_occupancies", [])]


class ResidentDetailOut(ResidentOut):
    vehicles: list[str]
    pets: list[str]
    missing: list[str]
    revealed: dict[str, str] = Field(
        default_factory=dict, description="the full value asked for with ?reveal= (logged)"
    )

    @staticmethod
    def resolve_vehicles(obj) -> list[str]:
        return [f"{v.plate} {v.parking_space}".strip() for v in obj.vehicles.all()]

    @staticmethod
    def resolve_pets(obj) -> list[str]:
        return [p.description for p in obj.pets.all()]

    @staticmethod
    def resolve_missing(obj) -> list[str]:
        return selectors.missing_of(obj, has_unit=bool(obj.current_occupancies))


class ResidentPage(Schema):
    items: list[ResidentOut]
    count: int


class ResidentQuery(PageParams):
    estate: EstateCode = Field(..., description="estate code, e.g. HY01")
    q: str = Field("", max_length=50, description="name, unit number, or a phone's last four")
    kind: str = Field("", max_length=16)


class ResidentIn(Schema):
    estate: EstateCode = Field(..., max_length=16)
    name: str = Field(..., max_length=200)
    phone: str = Field(..., max_length=32, examples=["13812345678"])
    kind: str = Field("owner", max_length=16)
    id_kind: str = Field("national_id", max_length=16)
    id_number: str = Field("", max_length=40)
    unit_ids: list[int] = Field(default_factory=list, max_length=50)
    primary: bool = False
    move_in_date: HistoricDay | None = None
    move_out_date: HistoricDay | None = None
    emergency_contact: str = Field("", max_length=200)
    emergency_phone: str = Field("", max_length=32)
    parking_spaces: str = Field("", max_length=400)
    vehicles: list[str] = Field(default_factory=list, max_length=10)
    pets: list[str] = Field(default_factory=list, max_length=10)
    notes: str = Field("", max_length=4000)


class ResidentPatch(Schema):
    """Only the fields sent change; phone and ID number are sent in full or not at all."""

    name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=32)
    kind: str | None = Field(None, max_length=16)
    id_kind: str | None = Field(None, max_length=16)
    id_number: str | None = Field(None, max_length=40)
    unit_ids: list[int] = Field(default_factory=list, max_length=50)
    primary: bool = False
    move_in_date: HistoricDay | None = None
    move_out_date: HistoricDay | None = None
    emergency_contact: str | None = Field(None, max_length=200)
    emergency_phone: str | None = Field(None, max_length=32)
    parking_spaces: str | None = Field(None, max_length=400)
    vehicles: list[str] | None = Field(None, max_length=10)
    pets: list[str] | None = Field(None, max_length=10)
    notes: str | None = Field(None, max_length=4000)


def _units(ids: list[int]) -> list[Unit]:
    # Unscoped on purpose: the service refuses a unit of another estate (422 on "units"),
    # and an unknown id the same way, so ids cannot be probed.
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return [found.get(i) or Unit(pk=i, estate_id=0, number=str(i)) for i in dict.fromkeys(ids)]


def _vehicles(lines: list[str]) -> list[tuple[str, str]]:
    out = []
    for line in lines:
        parts = line.split(None, 1)
        if parts:
            out.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return out


def _loaded(resident_id: int, user) -> Resident:
    return get_scoped_or_404(
        Resident.objects.select_related("estate").prefetch_related(
            selectors._current_units(), "vehicles", "pets"
        ),
        user,
        pk=resident_id,
    )


@router.get(
    "/residents",
    response={200: ResidentPage, **ERRORS_4XX},
    summary="Resident files of an estate, searched; phones and ID numbers masked",
)
def resident_list(request, query: Query[ResidentQuery]):
    estate = estate_by_code(request.auth, query.estate)
    require(request.auth, estate, perm.VIEW)
    q = "" if sum(ch.isdigit() for ch in query.q) >= 7 else query.q
    qs = selectors.resident_list(estate=estate, q=q, kind=query.kind).select_related("estate")
    return paginate(qs, query)


class SearchIn(Schema):
    estate: EstateCode = Field(..., max_length=16)
    q: str = Field(..., max_length=50, description="a full mobile number, name, unit, last four")
    limit: int = Field(50, ge=1, le=200)


@router.post(
    "/residents/search",
    response={200: ResidentPage, **ERRORS_4XX},
    summary="Search by a full mobile number (POSTed, so it never lands in a URL or a log)",
)
def resident_search(request, body: SearchIn):
    estate = estate_by_code(request.auth, body.estate)
    require(request.auth, estate, perm.VIEW)
    qs = selectors.resident_list(estate=estate, q=body.q).select_related("estate")
    return paginate(qs, PageParams(limit=body.limit, offset=0))


@router.get(
    "/residents/{resident_id}",
    response={200: ResidentDetailOut, **ERRORS_4XX},
    summary="One file; ?reveal=phone shows the full number to managers (logged)",
)
def resident_detail(request, resident_id: int, reveal: str = ""):
    resident = _loaded(resident_id, request.auth)
    require(request.auth, resident.estate, perm.VIEW)
    if reveal:
        resident.revealed = {
            reveal: services.resident_reveal(
                resident=resident, field=reveal, user=request.auth, request=request
            )
        }
    return resident


@router.post(
    "/residents",
    response={201: ResidentDetailOut, **ERRORS_4XX},
    summary="Create a file (phone validated, ID check digit, units of the estate)",
)
def resident_create(request, body: ResidentIn):
    estate = estate_by_code(request.auth, body.estate)
    require(request.auth, estate, perm.EDIT)
    resident = services.resident_file_create(
        estate=estate,
        data=services.FileData(
            name=body.name,
            phone=body.phone,
            kind=body.kind,
            id_kind=body.id_kind,
            id_number=body.id_number,
            move_in_date=body.move_in_date,
            move_out_date=body.move_out_date,
            emergency_contact=body.emergency_contact,
            emergency_phone=body.emergency_phone,
            parking_spaces=body.parking_spaces,
            notes=body.notes,
            vehicles=_vehicles(body.vehicles),
            pets=body.pets,
        ),
        units=_units(body.unit_ids),
        primary=body.primary,
        by=request.auth,
    )
    return Status(201, _loaded(resident.pk, request.auth))


@router.patch(
    "/residents/{resident_id}",
    response={200: ResidentDetailOut, **ERRORS_4XX},
    summary="Change a file; each change is kept in its history (masked)",
)
def resident_update(request, resident_id: int, body: ResidentPatch):
    resident = _loaded(resident_id, request.auth)
    require(request.auth, resident.estate, perm.EDIT)
    data = services.file_data_of(resident)
    sent = body.model_dump(exclude_unset=True)
    for name, value in sent.items():
        if name in ("unit_ids", "primary"):
            continue
        if name == "vehicles":
            value = _vehicles(value or [])
        setattr(data, name, value if value is not None else getattr(data, name))
    services.resident_update(
        resident=resident,
        data=data,
        units=_units(body.unit_ids),
        primary=body.primary,
        by=request.auth,
    )
    return _loaded(resident.pk, request.auth)
