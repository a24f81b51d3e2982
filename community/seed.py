"""Demo announcements."""

import datetime as dt

from community.models import Announcement
from estate.seeding import SeedContext, register

_NOTICES = [
    ("停水通知", "因市政管网维修，本周六 9:00-15:00 小区停水，请提前储水。"),
    ("电梯年检", "下周一起各楼栋电梯依次年检，每部约 2 小时，敬请谅解。"),
    ("物业费缴纳提醒", "本季度物业费请于本月 15 日前缴纳，可至客服中心或线上缴费。"),
    ("消防演练", "本月最后一个周五下午 3 点举行消防演练，欢迎业主参加。"),
]


@register(90, "announcements")
def seed_announcements(ctx: SeedContext) -> None:
    rows = []
    for estate in ctx.data["estates"]:
        for i, (title, body) in enumerate(_NOTICES):
            publish = ctx.now - dt.timedelta(days=3 * i + ctx.rng.randint(0, 2))
            rows.append(
                Announcement(
                    estate=estate,
                    title=title,
                    body=body,
                    publish_at=publish,
                    expire_at=publish + dt.timedelta(days=30),
                )
            )
    Announcement.objects.bulk_create(rows)
