"""The monthly bulletin (物业简报), an A4 PDF in Chinese with its font embedded: the rates
against their targets, a 12-month chart of each rate (reportlab graphics), the apps' sections
(top complaint categories, notable events), and the manager's summary. The company bulletin
ranks the estates on each rate with the company total.

Rendered with reportlab's ``invariant`` so the same bulletin gives the same bytes; an issued
bulletin is stored and served as stored (services.bulletin_issue)."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from estate import kpi, scoping
from estate.dashboard import panels, selectors
from estate.models import Bulletin, Estate
from estate.pdf import cjk_font

CHART_W, CHART_H = 56 * mm, 30 * mm


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle(
            "title", fontName=font, bulletFontName=font, fontSize=18, leading=24, spaceAfter=4
        ),
        "h2": ParagraphStyle(
            "h2", fontName=font, bulletFontName=font, fontSize=12, leading=16, spaceBefore=8
        ),
        "body": ParagraphStyle("body", fontName=font, bulletFontName=font, fontSize=9, leading=13),
        "small": ParagraphStyle(
            "small", fontName=font, bulletFontName=font, fontSize=7.5, leading=10
        ),
    }


def _table(data: list[list], font: str, widths=None) -> Table:
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#a0a8b0")),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _met_text(met: bool | None) -> str:
    if met is None:
        return "—"
    return "✔ " + _("met") if met else "✘ " + _("missed")  # glyphs the embedded font has


def trend_chart(label: str, points: list, target, font: str) -> Drawing:
    """One rate's 12 months as a line (0-100% high), the target dashed, the title above."""
    drawing = Drawing(CHART_W, CHART_H)
    drawing.initialFontName = font  # the renderer's default is Times-Roman, not embedded
    left, bottom, top = 4, 4, CHART_H - 12
    width = CHART_W - 8
    drawing.add(String(left, CHART_H - 9, label, fontName=font, fontSize=7))
    drawing.add(Line(left, bottom, left + width, bottom, strokeColor=colors.grey, strokeWidth=0.4))
    drawing.add(Line(left, bottom, left, top, strokeColor=colors.grey, strokeWidth=0.4))

    def y(rate) -> float:
        return bottom + (top - bottom) * float(rate)

    if target is not None:
        drawing.add(
            Line(
                left,
                y(target),
                left + width,
                y(target),
                strokeColor=colors.HexColor("#8250df"),
                strokeWidth=0.5,
                strokeDashArray=[2, 2],
            )
        )
    step = width / max(len(points) - 1, 1)
    segment: list[float] = []
    for i, (_month, rate) in enumerate(points):
        if rate is None:
            if len(segment) >= 4:
                drawing.add(
                    PolyLine(segment, strokeColor=colors.HexColor("#0969da"), strokeWidth=1)
                )
            segment = []
            continue
        segment += [left + i * step, y(rate)]
    if len(segment) >= 4:
        drawing.add(PolyLine(segment, strokeColor=colors.HexColor("#0969da"), strokeWidth=1))
    first, last = points[0][0], points[-1][0]
    drawing.add(String(left, 0, first, fontName=font, fontSize=5))
    drawing.add(String(left + width - 18, 0, last, fontName=font, fontSize=5))
    return drawing


def _estate_story(bulletin: Bulletin, font: str, styles) -> list:
    estate: Estate = bulletin.estate
    period = kpi.Period.month(estate.tz, bulletin.period, now=timezone.now())
    board = selectors.dashboard(estate=estate, period=period, links=False)
    story = [
        Paragraph(
            escape(
                _("%(name)s monthly bulletin, %(month)s")
                % {"name": estate.name, "month": period.label}
            ),
            styles["title"],
        ),
        Paragraph(
            escape(
                _("Estate %(code)s. Figures as computed at %(at)s (%(tz)s).")
                % {
                    "code": estate.code,
                    "at": timezone.localtime(board.computed_at, estate.tz).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                    if board.computed_at
                    else "—",
                    "tz": estate.timezone,
                }
            ),
            styles["small"],
        ),
    ]
    if bulletin.summary:
        story += [Paragraph(escape(_("Manager's summary")), styles["h2"])]
        story += [Paragraph(escape(p), styles["body"]) for p in bulletin.summary.splitlines() if p]
    story.append(Paragraph(escape(_("Rates against their targets")), styles["h2"]))
    data = [
        [
            _("Duty"),
            _("Rate"),
            _("Numerator"),
            _("Denominator"),
            period.label,
            board.previous.label,
            _("Target"),
            _("Target met"),
        ]
    ]
    for row in board.rows:
        data.append(
            [
                row.section,
                row.label,
                row.num,
                row.den,
                row.current.pct,
                row.previous.pct,
                selectors.pct(row.target.target) if row.target else "—",
                _met_text(row.met),
            ]
        )
    story.append(
        _table(data, font, [18 * mm, 30 * mm, 20 * mm, 20 * mm, 20 * mm, 20 * mm, 18 * mm, 20 * mm])
    )
    story.append(
        Paragraph(escape(_("The 12 months to %(month)s") % {"month": period.label}), styles["h2"])
    )
    charts = [
        trend_chart(row.label, row.trend, row.target.target if row.target else None, font)
        for row in board.rows
        if any(rate is not None for _m, rate in row.trend)
    ]
    if charts:
        grid = [charts[i : i + 3] for i in range(0, len(charts), 3)]
        grid[-1] += [""] * (3 - len(grid[-1]))
        charts_table = Table(grid, colWidths=[60 * mm] * 3)
        charts_table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 8)]))
        story.append(charts_table)
    else:
        story.append(Paragraph(escape(_("No rates computed in these months.")), styles["body"]))
    for section in panels.bulletin_sections(estate=estate, period=period):
        story.append(Paragraph(escape(section.title), styles["h2"]))
        if section.rows:
            story.append(_table([section.header, *section.rows], font))
        else:
            story.append(Paragraph(escape(_("None this month.")), styles["body"]))
    return story


def _company_story(bulletin: Bulletin, font: str, styles) -> list:
    estates = list(scoping.estates_for_company())
    story = [
        Paragraph(
            escape(_("Company monthly bulletin, %(month)s") % {"month": bulletin.period}),
            styles["title"],
        ),
    ]
    if bulletin.summary:
        story += [Paragraph(escape(p), styles["body"]) for p in bulletin.summary.splitlines() if p]
    story.append(
        Paragraph(
            escape(
                _(
                    "Estates ranked on each rate; the company total is the sum of the numerators over the sum of the denominators."
                )
            ),
            styles["small"],
        )
    )
    for ranking in selectors.ranking(estates=estates, period_label=bulletin.period):
        story.append(Paragraph(escape(f"{ranking.section} · {ranking.metric.label}"), styles["h2"]))
        data = [
            [_("Rank"), _("Estate"), _("Numerator"), _("Denominator"), _("Rate"), _("Target met")]
        ]
        for item in ranking.estates:
            ratio = item.figure.ratio
            data.append(
                [
                    item.rank or "—",
                    f"{item.estate.code} {item.estate.name}",
                    ranking.metric.fmt(ratio.numerator) if ratio else "—",
                    ranking.metric.fmt(ratio.denominator) if ratio else "—",
                    item.figure.pct,
                    _met_text(item.met),
                ]
            )
        data.append(
            [
                "",
                _("Company total"),
                ranking.metric.fmt(ranking.total.numerator),
                ranking.metric.fmt(ranking.total.denominator),
                ranking.total_pct,
                "",
            ]
        )
        story.append(_table(data, font, [14 * mm, 50 * mm, 25 * mm, 25 * mm, 22 * mm, 24 * mm]))
    return story


def render(bulletin: Bulletin) -> bytes:
    """The bulletin as PDF bytes, always in Chinese."""
    font = cjk_font()
    buffer = BytesIO()
    with translation.override("zh-hans"):
        styles = _styles(font)
        title = (
            _("%(name)s monthly bulletin, %(month)s")
            % {"name": bulletin.estate.name, "month": bulletin.period}
            if bulletin.estate_id
            else _("Company monthly bulletin, %(month)s") % {"month": bulletin.period}
        )
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            bottomMargin=15 * mm,
            title=title,
            author="EstateDesk",
            invariant=1,
            initialFontName=font,
        )
        story = (
            _estate_story(bulletin, font, styles)
            if bulletin.estate_id
            else _company_story(bulletin, font, styles)
        )
        story.append(Spacer(1, 6 * mm))
        doc.build(story)
    return buffer.getvalue()
