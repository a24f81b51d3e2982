"""Demo data of the estate app: estates, buildings, units and staff of every role."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from estate.models import Building, Estate, Membership, Role, Unit
from estate.seeding import SeedContext, bulk_insert, register

DEMO_PASSWORD = "demo1234"
_NAMES = [
    "华苑",
    "翠湖",
    "阳光花园",
    "金桂园",
    "锦绣江南",
    "碧水湾",
    "紫荆苑",
    "江畔名都",
    "和谐家园",
    "香樟苑",
    "枫林湾",
    "海棠湾",
    "名仕华庭",
    "春晓苑",
    "云顶山庄",
    "星河湾",
    "御景园",
    "东湖花园",
]
_DISTRICTS = ["浦东新区", "徐汇区", "闵行区", "长宁区", "普陀区", "杨浦区", "宝山区", "嘉定区"]
STAFF_ROLES = [
    ("frontdesk", Role.FRONT_DESK, "前台"),
    ("tech1", Role.TECHNICIAN, "维修一"),
    ("tech2", Role.TECHNICIAN, "维修二"),
    ("manager", Role.MANAGER, "经理"),
    ("finance", Role.FINANCE, "财务"),
    ("admin", Role.ADMIN, "管理员"),
]


def estate_identity(i: int) -> tuple[str, str, str, str]:
    """The code, name, address and service phone of the demo's estate number ``i`` (from 0)."""
    return (
        f"HY{i + 1:02d}" if i < 99 else f"H{i + 1:03d}",
        f"{_NAMES[i % len(_NAMES)]}{'' if i < len(_NAMES) else i // len(_NAMES) + 1}",
        f"上海市{_DISTRICTS[i % len(_DISTRICTS)]}示范路{100 + i}号",
        f"021-{5000_0000 + i:08d}",
    )


@register(10, "estates")
def seed_estates(ctx: SeedContext) -> None:
    rng = ctx.rng
    units_per_estate = ctx.data.get("units_per_estate", 240)
    estates = Estate.objects.bulk_create(
        [
            Estate(code=code, name=name, address=address, service_phone=phone)
            for code, name, address, phone in map(estate_identity, range(ctx.estates))
        ]
    )
    estates = list(Estate.objects.order_by("code"))
    # Buildings of 2 entrances, floors of 2 flats, as many as needed for units_per_estate.
    per_building = 2 * 2 * 18
    n_buildings = max(1, -(-units_per_estate // per_building))
    buildings = Building.objects.bulk_create(
        [
            Building(estate=e, number=str(b + 1), name=f"{b + 1}号楼")
            for e in estates
            for b in range(n_buildings)
        ]
    )
    buildings = list(Building.objects.filter(estate__in=estates).order_by("estate_id", "id"))
    by_estate: dict[int, list[Building]] = {}
    for b in buildings:
        by_estate.setdefault(b.estate_id, []).append(b)
    units = []
    for e in estates:
        made = 0
        for b in by_estate[e.pk]:
            for entrance in (1, 2):
                for floor in range(1, 19):
                    for room in (1, 2):
                        if made >= units_per_estate:
                            break
                        area = Decimal(rng.choice([68, 79, 89, 95, 108, 121, 135, 143]))
                        area += Decimal(rng.randint(0, 99)) / 100
                        status = rng.choices(
                            [
                                Unit.Status.OCCUPIED,
                                Unit.Status.VACANT,
                                Unit.Status.UNSOLD,
                                Unit.Status.RENOVATING,
                            ],
                            weights=[85, 8, 3, 4],
                        )[0]
                        units.append(
                            Unit(
                                estate=e,
                                building=b,
                                number=f"{b.number}-{entrance}-{floor}{room:02d}",
                                floor_area=area,
                                status=status,
                            )
                        )
                        made += 1
    bulk_insert(Unit, units)
    ctx.data["estates"] = estates
    ctx.log(f"estates: {len(estates)}, buildings: {len(buildings)}, units: {len(units)}")

    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    users = [
        User(
            username="admin",
            is_superuser=True,
            is_staff=True,
            password=password,
            first_name="公司管理员",
        )
    ]
    for e in estates:
        for suffix, _role, label in STAFF_ROLES:
            users.append(
                User(
                    username=f"{e.code.lower()}-{suffix}",
                    password=password,
                    first_name=f"{e.name}{label}",
                    is_staff=False,
                )
            )
    User.objects.bulk_create(users, batch_size=2000, ignore_conflicts=True)
    by_name = dict(User.objects.values_list("username", "pk"))
    Membership.objects.bulk_create(
        [
            Membership(user_id=by_name[f"{e.code.lower()}-{suffix}"], estate=e, role=role)
            for e in estates
            for suffix, role, _label in STAFF_ROLES
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    ctx.data["staff"] = {
        e.pk: {suffix: by_name[f"{e.code.lower()}-{suffix}"] for suffix, _r, _l in STAFF_ROLES}
        for e in estates
    }
