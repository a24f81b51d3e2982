"""The handover acknowledgement (交房确认单), A4, signed by the owner and the staff member.

A Chinese business paper whatever the UI language, so its labels are written in Chinese here.
The font is WenQuanYi Micro Hei embedded as a subset (estate.pdf.cjk_font), and it is the
canvas's initial font too, so no unembedded standard font is referenced: ``pdffonts`` shows
one font, embedded."""

from io import BytesIO

from django.utils.translation import override
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from estate import localtime
from estate.pdf import cjk_font
from residents.movein.models import ChecklistItemTemplate, Handover

K = ChecklistItemTemplate.Kind
METER_UNITS = {"meter_water": "m³", "meter_electricity": "kWh", "meter_gas": "m³"}


def _record(item) -> str:
    if not item.done:
        return ""
    if item.kind == K.KEYS and item.key_count is not None:
        return f"{item.key_count} 把"
    if item.kind == K.METER and item.reading is not None:
        return f"{item.reading:.2f} {METER_UNITS.get(item.code, '')}".strip()
    if item.kind == K.FEES and item.balance is not None:
        return f"欠费 {item.balance:.2f} 元"
    return ""


def _fmt(moment, estate) -> str:
    value = localtime.local(moment, estate)
    return f"{value:%Y-%m-%d %H:%M}" if value else "—"


def acknowledgement(handover: Handover) -> bytes:
    """The acknowledgement of one handover (with its checklist and defects prefetched or not)."""
    font = cjk_font(embed=True)
    estate = handover.estate
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14)
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1)
    h2 = ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=6)

    def table(rows, widths, header=True, height=None):
        t = Table(rows, colWidths=widths, rowHeights=height, repeatRows=1 if header else 0)
        style = [
            ("FONT", (0, 0), (-1, -1), font, 9.5),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")))
        t.setStyle(TableStyle(style))
        return t

    def cell(text):
        return Paragraph(str(text), base)

    items = list(handover.items.all().order_by("sort", "id"))
    defects = list(handover.defects.select_related("ticket", "item").order_by("id"))
    status = {
        "booked": "已预约",
        "in_progress": "办理中",
        "completed": "已完成",
        "cancelled": "已取消",
    }
    story = [
        Paragraph(f"{estate.name} 交房确认单", title),
        Spacer(1, 4 * mm),
        table(
            [
                ["房号", handover.unit.number, "业主", handover.resident.name],
                ["联系电话", handover.resident.phone_masked, "状态", status[handover.status]],
                [
                    "预约日期",
                    f"{handover.booked_date:%Y-%m-%d} {handover.slot.template}",
                    "完成时间",
                    _fmt(handover.completed_at, estate),
                ],
            ],
            [25 * mm, 60 * mm, 25 * mm, 60 * mm],
            header=False,
        ),
        Paragraph("一、交房检查项目", h2),
        table(
            [["序号", "项目", "结果", "记录", "备注"]]
            + [
                [
                    str(i),
                    cell(item.label),
                    "✓ 已完成" if item.done else "未完成",
                    _record(item),
                    cell(item.note),
                ]
                for i, item in enumerate(items, 1)
            ],
            [12 * mm, 42 * mm, 24 * mm, 40 * mm, 52 * mm],
        ),
        Paragraph("二、仪表读数与钥匙", h2),
        table(
            [["水表 (m³)", "电表 (kWh)", "燃气表 (m³)", "钥匙 (把)"]]
            + [
                [
                    next((_record(i) or "—" for i in items if i.code == code), "—")
                    for code in ("meter_water", "meter_electricity", "meter_gas")
                ]
                + [next((str(i.key_count) for i in items if i.kind == K.KEYS and i.done), "—")]
            ],
            [42.5 * mm] * 4,
        ),
        Paragraph("三、验房发现的问题（已转房产售后报修）", h2),
    ]
    with override("zh-hans"):
        defect_rows = [
            [
                str(i),
                cell(d.item.label if d.item_id else "—"),
                cell(d.description),
                d.ticket.number,
                d.ticket.get_status_display(),
            ]
            for i, d in enumerate(defects, 1)
        ]
    story.append(
        table(
            [["序号", "位置", "问题描述", "报修单号", "处理状态"]]
            + (defect_rows or [["—", "—", "无", "—", "—"]]),
            [12 * mm, 30 * mm, 70 * mm, 32 * mm, 26 * mm],
        )
    )
    rating = (
        f"{'★' * handover.rating}{'☆' * (5 - handover.rating)}（{handover.rating} 分）"
        if handover.rating
        else "未评价"
    )
    story += [
        Paragraph("四、业主评价", h2),
        Paragraph(f"满意度：{rating}", base),
        Paragraph(f"意见：{handover.rating_comment or '—'}", base),
        Spacer(1, 6 * mm),
        Paragraph("以上检查项目、仪表读数及钥匙数量经双方确认无误。", base),
        Spacer(1, 10 * mm),
        table(
            [
                ["业主签字：", "", "物业经办人签字：", ""],
                ["日期：", "", "日期：", ""],
            ],
            [25 * mm, 60 * mm, 35 * mm, 50 * mm],
            header=False,
            height=14 * mm,
        ),
    ]
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"交房确认单 {handover.unit.number}",
        initialFontName=font,
    )
    doc.build(story)
    return buffer.getvalue()
