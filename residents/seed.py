"""Demo resident files: a primary contact for most occupied units; about half the files are
complete (ID number, move-in date, emergency contact), the rest miss something; some keep
vehicles and pets; each estate has one duplicate pair (same name and phone) to merge."""

import datetime as dt

from stdnum.cn import ric

from estate import privacy
from estate.models import Unit
from estate.seeding import SeedContext, bulk_insert, register
from residents.models import Occupancy, Pet, Resident, Vehicle

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文博宇浩然欣怡子涵梓萱"
_PREFIXES = ["138", "139", "135", "136", "137", "150", "151", "158", "159", "186", "187", "188"]


def fake_name(rng) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def fake_mobile(rng) -> str:
    return rng.choice(_PREFIXES) + f"{rng.randrange(10**8):08d}"


_AREAS = ["110101", "310104", "440305", "320506", "330106", "510107"]
_PLATE_PROVINCES = "沪京粤苏浙川"
_PETS = ["狗 · 泰迪", "猫 · 英短", "狗 · 柯基", "猫 · 橘猫"]


def fake_id_number(rng) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
    body = f"{rng.choice(_AREAS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body)


def fake_plate(rng) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return rng.choice(_PLATE_PROVINCES) + rng.choice(letters) + f"{rng.randrange(10**5):05d}"


@register(20, "residents")
def seed_residents(ctx: SeedContext) -> None:
    rng = ctx.rng
    residents, links = [], []
    units = list(
        Unit.objects.filter(status__in=[Unit.Status.OCCUPIED, Unit.Status.RENOVATING])
        .order_by("id")
        .values_list("id", "estate_id")
    )
    fernet_cache: dict[str, str] = {}
    for unit_id, estate_id in units:
        phone = fake_mobile(rng)
        r = Resident(estate_id=estate_id, name=fake_name(rng), kind=Resident.Kind.OWNER)
        # Encrypting is slow-ish; the demo reuses ciphertexts for repeated numbers.
        r.phone_enc = fernet_cache.setdefault(phone, privacy.encrypt(phone))
        r.phone_index = privacy.blind_index(phone)
        r.phone_masked = privacy.mask_phone(phone)
        r.phone_last4 = phone[-4:]
        if rng.random() < 0.5:  # a complete file; the others miss something
            r.set_id_number(fake_id_number(rng))
            r.move_in_date = ctx.now.date() - dt.timedelta(days=rng.randrange(30, 3000))
            r.emergency_contact = fake_name(rng)
            emergency = fake_mobile(rng)
            r.emergency_phone_enc = fernet_cache.setdefault(emergency, privacy.encrypt(emergency))
            r.emergency_phone_masked = privacy.mask_phone(emergency)
        elif rng.random() < 0.5:
            r.move_in_date = ctx.now.date() - dt.timedelta(days=rng.randrange(30, 3000))
        residents.append(r)
        links.append(unit_id)
    bulk_insert(Resident, residents)
    ids = list(Resident.objects.order_by("id").values_list("id", "estate_id"))[-len(residents) :]
    bulk_insert(
        Occupancy,
        [
            Occupancy(estate_id=estate_id, unit_id=unit_id, resident_id=rid, is_primary=True)
            for (rid, estate_id), unit_id in zip(ids, links, strict=True)
        ],
    )
    vehicles, pets = [], []
    for n, (rid, _estate_id) in enumerate(ids):
        if rng.random() < 0.3:
            vehicles.append(
                Vehicle(
                    resident_id=rid,
                    plate=fake_plate(rng),
                    # From the position, not the id: ids differ between databases and runs.
                    parking_space=f"B{n % 3 + 1}-{n % 500:03d}",
                )
            )
        if rng.random() < 0.15:
            pets.append(Pet(resident_id=rid, description=rng.choice(_PETS)))
    Vehicle.objects.bulk_create(vehicles, batch_size=5000, ignore_conflicts=True)
    bulk_insert(Pet, pets)
    # One duplicate pair per estate: the front desk typed a file again, without its unit.
    first_of_estate: dict[int, int] = {}
    for rid, estate_id in ids:
        first_of_estate.setdefault(estate_id, rid)
    originals = Resident.objects.filter(pk__in=list(first_of_estate.values()))
    duplicates = [
        Resident(
            estate_id=o.estate_id,
            name=o.name,
            kind=o.kind,
            phone_enc=o.phone_enc,
            phone_index=o.phone_index,
            phone_masked=o.phone_masked,
            phone_last4=o.phone_last4,
            notes="前台重复录入",
        )
        for o in originals
    ]
    Resident.objects.bulk_create(duplicates)
    ctx.log(
        f"residents: {len(residents)} (+{len(duplicates)} duplicates), "
        f"vehicles: {len(vehicles)}, pets: {len(pets)}"
    )
