"""One language per page: a Chinese page shows no English role code, role name or holiday
name, and an English page no Chinese label, outside data the users typed. Walks the main staff
pages on seeded demo data in both languages, as each role sees them."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import translation

from estate.models import Estate, Role
from repairs.models import CalendarDay, Ticket

NOW = "2026-11-02T03:00:00+08:00"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# The language menu names each language in its own script.
OWN_SCRIPT = {"简体中文"}
# An amount in Chinese capital numerals (大写, "肆佰元整") is the legal form of the figure on a
# receipt, like the figure itself, not a label: it shows on the English page too.
CAPITAL_AMOUNT = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整]+")
HOLIDAYS_EN = [
    "New Year's Day",
    "Spring Festival",
    "Tomb-sweeping Day",
    "Tomb-Sweeping Day",
    "Labour Day",
    "Labor Day",
    "Dragon Boat Festival",
    "Mid-autumn Festival",
    "Mid-Autumn Festival",
    "National Day",
]
HOLIDAYS_ZH = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


class _Visible(HTMLParser):
    """The text a user reads: text outside script/style, and the attributes shown."""

    SHOWN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.SHOWN and value:
                self.parts.append(value)
            if (
                tag == "input"
                and name == "value"
                and dict(attrs).get("type") in ("submit", "button")
            ):
                self.parts.append(value or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.parts


def typed_data() -> set[str]:
    """Every text value stored by the project's apps: what users (or the demo seed, standing
    in for them) typed. Chinese inside one of these is data, not a label."""
    values: set[str] = set()
    for model in apps.get_models():
        if (
            model.__module__.split(".")[0]
            not in {
                "estate",
                "residents",
                "repairs",
                "fees",
                "renovation",
                "community",
            }
            and model._meta.label != "auth.User"
        ):
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.name.endswith("_enc")
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            values.update(v for v in row if v)
    return values


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Demo data for every module (one estate, two months), removed after the module."""
    with django_db_blocker.unblock():
        try:
            call_command(
                "seed_demo",
                "--estates",
                "1",
                "--months",
                "2",
                "--seed",
                "3",
                "--units-per-estate",
                "24",
                "--now",
                NOW,
                verbosity=0,
            )
            yield
        finally:
            call_command("flush", "--noinput", verbosity=0)


def _pages(estate: Estate) -> list[tuple[str, str]]:
    from fees.models import Payment
    from renovation.models import Application
    from residents.models import Resident
    from residents.movein.models import Handover

    ticket = Ticket.objects.filter(estate=estate).order_by("-history__at").first()
    year = CalendarDay.objects.filter(estate=estate, kind="holiday").order_by("date").last()
    resident = Resident.objects.filter(estate=estate).order_by("pk").first()
    payment = Payment.objects.filter(estate=estate).order_by("pk").first()
    application = Application.objects.filter(estate=estate).order_by("pk").first()
    handover = Handover.objects.filter(estate=estate).order_by("pk").first()
    code = estate.code
    pages = [
        ("front_desk", "/repairs/new/"),
        ("front_desk", "/repairs/"),
        ("front_desk", f"/repairs/{ticket.pk}/"),
        ("manager", f"/repairs/{ticket.pk}/"),
        ("technician", "/repairs/mine/"),
        ("manager", f"/repairs/calendar/?estate={code}&year={year.date.year}"),
        ("manager", f"/repairs/categories/?estate={code}"),
        ("manager", f"/repairs/samples/?estate={code}"),
        ("manager", f"/kpis/?estate={code}"),
        ("finance", f"/fees/bills/?estate={code}"),
        ("finance", f"/fees/arrears/?estate={code}"),
        ("finance", f"/fees/cashier/?estate={code}"),
        ("finance", f"/fees/overview/?estate={code}"),
        ("finance", f"/fees/payments/{payment.pk}/"),
        ("finance", f"/fees/units/{payment.unit_id}/"),
        ("front_desk", f"/residents/?estate={code}"),
        ("manager", f"/residents/{resident.pk}/"),
        ("manager", f"/residents/access-log/?estate={code}"),
        ("manager", f"/renovation/?estate={code}"),
        ("manager", f"/renovation/applications/?estate={code}"),
        ("manager", f"/community/events/?estate={code}"),
        ("manager", f"/community/announcements/?estate={code}"),
        ("manager", f"/community/surveys/?estate={code}"),
        ("manager", f"/movein/?estate={code}"),
        ("manager", f"/movein/handovers/?estate={code}"),
        ("manager", "/notifications/"),
    ]
    if application is not None:
        pages.append(("manager", f"/renovation/applications/{application.pk}/"))
    if handover is not None:
        pages.append(("manager", f"/movein/handovers/{handover.pk}/"))
    return pages


def _walk(client, language):
    from django.contrib.auth import get_user_model

    estate = Estate.objects.order_by("code").first()
    users = {
        role: get_user_model().objects.get(username=f"{estate.code.lower()}-{suffix}")
        for role, suffix in [
            ("front_desk", "frontdesk"),
            ("technician", "tech1"),
            ("manager", "manager"),
            ("finance", "finance"),
        ]
    }
    client.cookies["django_language"] = language
    for role, url in _pages(estate):
        client.force_login(users[role])
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, f"{url} as {role}: {response.status_code}"
        yield role, url, users[role], visible(response.content.decode())


@pytest.mark.django_db
def test_chinese_pages_show_no_english_role_or_holiday_name(client, seeded):
    problems, seen_holiday = [], False
    for role, url, user, texts in _walk(client, "zh-hans"):
        text = "\n".join(texts)
        where = f"{url} ({role})"
        for code in [r.value for r in Role]:
            if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
                problems.append(f"{where} shows the role code {code!r}")
        for name in HOLIDAYS_EN:
            if name in text:
                problems.append(f"{where} shows the holiday {name!r} in English")
        if user.username in text:
            problems.append(f"{where} shows the username {user.username!r}")
        if user.get_full_name() not in text:
            problems.append(f"{where} does not show who is logged in by name")
        with translation.override("zh-hans"):
            if str(Role(role).label) not in text:
                problems.append(f"{where} does not name the role in Chinese")
        seen_holiday = seen_holiday or any(h in text for h in HOLIDAYS_ZH)
    assert not problems, "\n".join(problems)
    assert seen_holiday, "the calendar shows no holiday in Chinese"


@pytest.mark.django_db
def test_english_pages_show_no_chinese_label_outside_typed_data(client, seeded):
    data = typed_data()
    # A reply phrase stored with placeholders ("您好，这里是{estate}…") shows filled in.
    templated = [
        re.compile(".*?".join(re.escape(p) for p in re.split(r"\{[^{}]*\}", value)))
        for value in data
        if "{" in value and CJK.search(value)
    ]
    problems, seen_holiday = [], False
    for role, url, user, texts in _walk(client, "en"):
        where = f"{url} ({role})"
        for part in texts:
            for pattern in templated:
                part = pattern.sub("", part)
            for run in CJK.findall(part):
                if run in OWN_SCRIPT or CAPITAL_AMOUNT.fullmatch(run):
                    continue
                if any(run in value for value in data):
                    continue
                problems.append(f"{where} shows the Chinese label {run!r} in: {part[:100]!r}")
        text = "\n".join(texts)
        for name in HOLIDAYS_ZH:
            if name in text:
                problems.append(f"{where} shows the holiday {name!r} in Chinese")
        with translation.override("en"):
            if str(Role(role).label) not in text:
                problems.append(f"{where} does not name the role in English")
        if user.username in text:
            problems.append(f"{where} shows the username {user.username!r}")
        seen_holiday = seen_holiday or any(h in text for h in HOLIDAYS_EN)
    assert not problems, "\n".join(sorted(set(problems)))
    assert seen_holiday, "the calendar shows no holiday in English"


@pytest.mark.django_db
def test_the_language_menu_names_each_language_in_its_own_script(client, seeded):
    for language in ("zh-hans", "en"):
        html = client.get("/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        options = re.findall(r'<option value="(zh-hans|en)"[^>]*>([^<]+)</option>', html)
        assert dict(options) == {"zh-hans": "简体中文", "en": "English"}
