"""Holiday names in the page's language: an imported holiday reads 国庆节 on the Chinese
calendar and National Day on the English one, whichever source named it; a name a manager
typed shows as typed."""

import datetime as dt
import json

import pytest
from django.utils import translation

from repairs import configuration
from repairs.holiday_names import holiday_label
from repairs.models import CalendarDay
from tests.factories import make_staff


@pytest.mark.parametrize(
    ("stored", "zh", "en"),
    [
        ("National Day", "国庆节", "National Day"),  # chinese-calendar
        ("国庆节", "国庆节", "National Day"),  # holidays, older imports in Chinese
        (
            "Mid-Autumn Festival; National Day",
            "中秋节; 国庆节",
            "Mid-autumn Festival; National Day",
        ),
        ("Labor Day (observed)", "劳动节（补假）", "Labour Day (day in lieu)"),
        ("春节（补假）", "春节（补假）", "Spring Festival (day in lieu)"),
        (
            "Day off (substituted from 10/10/2026)",
            "休息日（由 2026-10-10 调休）",
            "Day off (moved from 2026-10-10)",
        ),
        ("小区运动会", "小区运动会", "小区运动会"),  # typed by a manager: as typed
    ],
)
def test_every_source_spelling_reads_in_the_pages_language(stored, zh, en):
    with translation.override("zh-hans"):
        assert holiday_label(stored) == zh
    with translation.override("en"):
        assert holiday_label(stored) == en


@pytest.mark.parametrize("year", [2026, 2031])  # chinese-calendar covers 2026; holidays 2031
def test_an_imported_year_reads_in_either_language(client, estate_a, year):
    manager = make_staff(estate_a, "manager")
    configuration.calendar_year_import(estate=estate_a, year=year, by=manager)
    national_day = CalendarDay.objects.get(estate=estate_a, date=dt.date(year, 10, 1))
    client.force_login(manager)
    url = f"/repairs/calendar/?estate=HY01&year={year}"
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "国庆节" in zh and "National Day" not in zh
    assert "National Day" in en and "国庆节" not in en
    api = client.get(
        "/api/v1/ticket-calendar",
        {"estate": "HY01", "year": year},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    day = next(d for d in json.loads(api.content)["days"] if d["date"] == f"{year}-10-01")
    assert (
        "National Day" in day["label"]
        and "国庆节" not in day["label"]
        and day["name"] == national_day.name
    )
