"""Demo data of community: announcements (current, pinned, scheduled, expired), events over
the seeded months (full ones with a wait list, cancellations that moved the list up,
attendance and feedback; upcoming ones open for sign-up), a satisfaction survey per quarter
with answers, and this month's sampled call list. Deterministic for a given seed."""

import datetime as dt
from decimal import Decimal

from community.models import (
    Announcement,
    Aspect,
    Event,
    SignUp,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from community.services.surveys import DEFAULT_QUESTIONS, call_samples_draw
from estate.kpi import Period
from estate.models import Unit
from estate.seeding import SeedContext, bulk_insert, new, register

_NOTICES = [
    ("停水通知", "因市政管网维修，本周六 9:00-15:00 小区停水，请提前储水。", "outage"),
    ("电梯年检", "下周一起各楼栋电梯依次年检，每部约 2 小时，敬请谅解。", "notice"),
    ("物业费缴纳提醒", "本季度物业费请于本月 15 日前缴纳，可至客服中心或线上缴费。", "notice"),
    ("消防演练", "本月最后一个周五下午 3 点举行消防演练，欢迎业主参加。", "safety"),
]
_EVENTS = [
    ("中秋游园会", "会所广场", "猜灯谜、做月饼，欢迎全家参加。"),
    ("亲子手工课", "会所活动室", "适合 5-10 岁儿童，材料由物业提供。"),
    ("健康义诊", "中心广场", "社区医院医生现场测血压、血糖。"),
    ("广场舞比赛", "中心广场", "以楼栋为单位组队参赛。"),
    ("旧物交换集市", "地下车库入口广场", "闲置物品以物易物。"),
    ("垃圾分类讲座", "会所多功能厅", "讲解分类要点，现场答疑。"),
]
_NAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"
_COMMENTS = ["服务很好", "维修有点慢", "绿化不错", "希望加强夜间巡逻", "收费透明", ""]


def _phone(rng) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"


def _announcements(ctx: SeedContext, estate) -> list[Announcement]:
    rows = []
    for i, (title, body, category) in enumerate(_NOTICES):
        publish = ctx.now - dt.timedelta(days=3 * i + ctx.rng.randint(0, 2))
        rows.append(
            Announcement(
                estate=estate,
                title=title,
                body=body,
                category=category,
                pinned=i == 0,
                publish_at=publish,
                expire_at=publish + dt.timedelta(days=30),
            )
        )
    rows.append(
        Announcement(
            estate=estate,
            title="国庆假期客服安排",
            body="假期客服中心 9:00-17:00 值班，24 小时报修电话见物业公告栏。",
            category="notice",
            publish_at=ctx.now - dt.timedelta(days=60),
            expire_at=ctx.now - dt.timedelta(days=40),
        )
    )
    rows.append(
        Announcement(
            estate=estate,
            title="社区迎新年活动报名",
            body="元旦迎新活动即将开始报名，详见 https://example.com/events",
            category="event",
            publish_at=ctx.now + dt.timedelta(days=5),
        )
    )
    return rows


def _event_rows(ctx: SeedContext, estate, units: list[Unit]):
    """Events and their sign-ups, places counted as the services would have."""
    rng = ctx.rng
    events: list[tuple[Event, list[SignUp]]] = []
    for month in range(ctx.months, -1, -1):
        for k in range(2):
            title, place, description = _EVENTS[(month * 2 + k) % len(_EVENTS)]
            day = (ctx.now - dt.timedelta(days=30 * month - 6 - 12 * k)).astimezone(estate.tz)
            starts = day.replace(hour=14 + k, minute=0, second=0, microsecond=0)
            capacity = rng.choice([10, 20, 30])
            event = Event(
                estate=estate,
                title=title,
                description=description,
                place=place,
                place_capacity=50,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                capacity=capacity,
                signup_opens_at=starts - dt.timedelta(days=30),
                signup_closes_at=starts - dt.timedelta(hours=2),
                fee=Decimal("0.00"),
            )
            past = starts < ctx.now
            # Every other event is popular: more people ask than there are places.
            wanted = (
                capacity + rng.randint(2, 8) if k == 0 else rng.randint(capacity // 3, capacity)
            )
            signups, confirmed_places = [], 0
            for _i in range(wanted):
                people = rng.choice([1, 1, 1, 2])
                fits = confirmed_places + people <= capacity and not any(
                    s.status == SignUp.Status.WAITLISTED for s in signups
                )
                signup = SignUp(
                    name=f"{rng.choice(_NAMES)}{rng.choice(['女士', '先生'])}",
                    unit=rng.choice(units),
                    people=people,
                    status=SignUp.Status.CONFIRMED if fits else SignUp.Status.WAITLISTED,
                    channel=rng.choice([SignUp.Channel.WEB, SignUp.Channel.DESK]),
                    token=f"{rng.getrandbits(128):032x}",
                )
                signup.set_phone(_phone(rng))
                confirmed_places += people if fits else 0
                signups.append(signup)
            # One cancellation on popular events: the first waiting who fits moved up.
            confirmed = [s for s in signups if s.status == SignUp.Status.CONFIRMED]
            if k == 0 and confirmed:
                gone = confirmed[rng.randrange(len(confirmed))]
                gone.status = SignUp.Status.CANCELLED
                gone.cancelled_at = starts - dt.timedelta(days=2)
                confirmed_places -= gone.people
                for waiting in [s for s in signups if s.status == SignUp.Status.WAITLISTED]:
                    if confirmed_places + waiting.people > capacity:
                        break
                    waiting.status = SignUp.Status.CONFIRMED
                    waiting.promoted_at = gone.cancelled_at
                    confirmed_places += waiting.people
            if past:
                for s in signups:
                    if s.status == SignUp.Status.CONFIRMED and rng.random() < 0.8:
                        s.attended_at = starts + dt.timedelta(minutes=rng.randint(-15, 20))
                        if rng.random() < 0.5:
                            s.feedback_rating = rng.choices([5, 4, 3, 2], weights=[5, 3, 1, 1])[0]
                            s.feedback_comment = rng.choice(["很开心", "组织得好", "时间太短", ""])
                            s.feedback_at = starts + dt.timedelta(hours=3)
            event.confirmed_places = confirmed_places
            events.append((event, signups))
    return events


def _quarters(ctx: SeedContext, tz) -> list[tuple[str, dt.datetime, dt.datetime]]:
    local = ctx.now.astimezone(tz)
    year, quarter = local.year, (local.month - 1) // 3
    out = []
    for back in range(max(1, -(-ctx.months // 3)), -1, -1):
        q = quarter - back
        y = year + q // 4
        q %= 4
        start = dt.datetime(y, 3 * q + 1, 1, tzinfo=tz)
        end = dt.datetime(y + (q == 3), (3 * q + 3) % 12 + 1, 1, tzinfo=tz)
        out.append((f"{y}-Q{q + 1}", start, end))
    return out


def _surveys(ctx: SeedContext, estate, units: list[Unit]) -> None:
    rng = ctx.rng
    for label, start, end in _quarters(ctx, estate.tz):
        if start >= ctx.now:
            continue
        survey = Survey.objects.create(
            estate=estate,
            title=f"{label} 业主满意度调查",
            period=label,
            opens_at=start,
            closes_at=end,
            token=f"{rng.getrandbits(128):032x}",
        )
        questions = SurveyQuestion.objects.bulk_create(
            SurveyQuestion(survey=survey, aspect=a, text=DEFAULT_QUESTIONS[Aspect(a)], sort=i)
            for i, a in enumerate(Aspect.values)
        )
        last = min(end, ctx.now)
        span = int((last - start).total_seconds())
        chosen = rng.sample(units, k=max(1, len(units) // 4))
        # A quarter's mood: some quarters are better than others.
        mood = rng.choice([[1, 1, 3, 8, 7], [2, 3, 5, 6, 4], [1, 2, 4, 7, 6]])
        responses = [
            new(
                SurveyResponse,
                survey=survey,
                unit=unit,
                channel=rng.choice(["web", "web", "paper", "phone"]),
                answered_at=start + dt.timedelta(seconds=rng.randrange(max(1, span))),
            )
            for unit in chosen
        ]
        bulk_insert(SurveyResponse, responses)
        responses = list(survey.responses.order_by("id"))
        bulk_insert(
            SurveyAnswer,
            [
                new(
                    SurveyAnswer,
                    response=r,
                    survey=survey,
                    estate=estate,
                    question=q,
                    aspect=q.aspect,
                    rating=rng.choices([1, 2, 3, 4, 5], weights=mood)[0],
                    comment=rng.choice(_COMMENTS) if rng.random() < 0.1 else "",
                    answered_at=r.answered_at,
                )
                for r in responses
                for q in questions
            ],
        )


@register(90, "community")
def seed_community(ctx: SeedContext) -> None:
    announcements = []
    for estate in ctx.data["estates"]:
        announcements += _announcements(ctx, estate)
        units = list(Unit.objects.filter(estate=estate).order_by("id"))
        if not units:
            continue
        events = _event_rows(ctx, estate, units)
        Event.objects.bulk_create([e for e, _s in events])
        signups = []
        for event, rows in events:
            for s in rows:
                s.event = event
            signups += rows
        bulk_insert(SignUp, signups)
        _surveys(ctx, estate, units)
        period = Period.containing(estate.tz, ctx.now, now=ctx.now)
        call = call_samples_draw(estate=estate, period_label=period.label, now=ctx.now)
        # The service draws a random link token; the demo's must repeat with the seed.
        Survey.objects.filter(pk=call.pk).update(token=f"{ctx.rng.getrandbits(128):032x}")
    Announcement.objects.bulk_create(announcements)
    ctx.log(
        f"community: {Event.objects.count()} events, {SignUp.objects.count()} sign-ups, "
        f"{SurveyAnswer.objects.count()} survey answers"
    )
