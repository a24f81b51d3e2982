"""Holiday names in the page's language.

The import stores a holiday's name as its source gives it: ``chinese-calendar`` in English
("National Day"), ``holidays`` in English too since it is asked for ``en_US`` (older imports
kept its Chinese names). The calendar shows every known name translated, so the Chinese page
says 国庆节 and the English one National Day; a name a manager typed is shown as typed."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_NAMES = {
    "new_year": gettext_lazy("New Year's Day"),
    "new_year_eve": gettext_lazy("Chinese New Year's Eve"),
    "spring_festival": gettext_lazy("Spring Festival"),
    "spring_festival_extended": gettext_lazy("Spring Festival (extended holiday)"),
    "tomb_sweeping": gettext_lazy("Tomb-sweeping Day"),
    "labour_day": gettext_lazy("Labour Day"),
    "dragon_boat": gettext_lazy("Dragon Boat Festival"),
    "mid_autumn": gettext_lazy("Mid-autumn Festival"),
    "national_day": gettext_lazy("National Day"),
    "victory_70": gettext_lazy("Victory Day (70th anniversary)"),
}

# Every spelling the sources use (chinese-calendar, holidays in en_US and zh_CN), lower-cased.
_ALIASES = {
    "new year's day": "new_year",
    "元旦": "new_year",
    "chinese new year's eve": "new_year_eve",
    "农历除夕": "new_year_eve",
    "spring festival": "spring_festival",
    "chinese new year (spring festival)": "spring_festival",
    "春节": "spring_festival",
    "chinese new year extended holiday": "spring_festival_extended",
    "春节延长假期": "spring_festival_extended",
    "tomb-sweeping day": "tomb_sweeping",
    "清明节": "tomb_sweeping",
    "labour day": "labour_day",
    "labor day": "labour_day",
    "劳动节": "labour_day",
    "dragon boat festival": "dragon_boat",
    "端午节": "dragon_boat",
    "mid-autumn festival": "mid_autumn",
    "中秋节": "mid_autumn",
    "national day": "national_day",
    "国庆节": "national_day",
    "anti-fascist 70th day": "victory_70",
    "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日": "victory_70",
    (
        "70th anniversary of the victory of the chinese people's war of resistance against "
        "japanese aggression and the world anti-fascist war"
    ): "victory_70",
}
_OBSERVED = re.compile(r"^(?P<name>.+?)\s*(?:\(observed\)|（补假）)$", re.IGNORECASE)
_DAY_OFF = re.compile(
    r"^(?:Day off \(substituted from (?P<m>\d\d)/(?P<d>\d\d)/(?P<y>\d{4})\)"
    r"|休息日（由 (?P<y2>\d{4})-(?P<m2>\d\d)-(?P<d2>\d\d) 调休）)$"
)


def _one(name: str) -> str | None:
    key = _ALIASES.get(name.strip().lower())
    if key:
        return str(_NAMES[key])
    observed = _OBSERVED.match(name.strip())
    if observed:
        inner = _one(observed.group("name"))
        if inner:
            return _("%(name)s (day in lieu)") % {"name": inner}
    day_off = _DAY_OFF.match(name.strip())
    if day_off:
        parts = day_off.groupdict()
        y, m, d = (parts["y"] or parts["y2"], parts["m"] or parts["m2"], parts["d"] or parts["d2"])
        return _("Day off (moved from %(date)s)") % {"date": f"{y}-{m}-{d}"}
    return None


def holiday_label(name: str) -> str:
    """The name of a holiday in the current language; a name no source uses, as typed."""
    if not name:
        return ""
    pieces = [p for p in re.split(r"\s*;\s*", name) if p]
    labels = [_one(p) for p in pieces]
    if pieces and all(labels):
        return "; ".join(labels)
    return name
