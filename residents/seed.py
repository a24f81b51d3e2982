"""Demo resident files: a primary contact for most occupied units."""

from estate import privacy
from estate.models import Unit
from estate.seeding import SeedContext, register
from residents.models import Occupancy, Resident

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文博宇浩然欣怡子涵梓萱"
_PREFIXES = ["138", "139", "135", "136", "137", "150", "151", "158", "159", "186", "187", "188"]


def fake_name(rng) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def fake_mobile(rng) -> str:
    return rng.choice(_PREFIXES) + f"{rng.randrange(10**8):08d}"


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
        residents.append(r)
        links.append(unit_id)
    Resident.objects.bulk_create(residents, batch_size=5000)
    ids = list(Resident.objects.order_by("id").values_list("id", "estate_id"))[-len(residents) :]
    Occupancy.objects.bulk_create(
        [
            Occupancy(estate_id=estate_id, unit_id=unit_id, resident_id=rid, is_primary=True)
            for (rid, estate_id), unit_id in zip(ids, links, strict=True)
        ],
        batch_size=5000,
    )
    ctx.log(f"residents: {len(residents)}")
