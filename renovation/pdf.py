"""Renovation documents (reportlab, A4, Chinese, the font embedded as a subset): the permit to
post on the door (装修许可证), the rectification notice (整改通知书) and each worker's pass
(装修工人出入证).

They are Chinese business papers whatever the UI language, so their wording is Chinese."""

from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from estate.errors import DomainError
from estate.localtime import local
from estate.pdf import cjk_font
from renovation.models import Application, Violation, Worker
from renovation.services import policy_for

WIDTH, HEIGHT = A4
LEFT = 22 * mm
LINE = 8.5 * mm


def _wrap(c: canvas.Canvas, font: str, size: float, text: str, width: float) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if ch == "\n" or c.stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = "" if ch == "\n" else ch
        else:
            current += ch
    return [*lines, current] if current else lines


class _Doc:
    def __init__(self, title: str):
        self.buffer = BytesIO()
        self.font = cjk_font(embed=True)
        self.c = canvas.Canvas(
            self.buffer, pagesize=A4, pageCompression=1, initialFontName=self.font
        )
        self.c.setTitle(title)
        self.y = HEIGHT - 30 * mm
        self.c.setFont(self.font, 22)
        self.c.drawCentredString(WIDTH / 2, self.y, title)
        self.y -= 16 * mm

    def row(self, label: str, value: str, size: float = 12) -> None:
        c = self.c
        c.setFont(self.font, size)
        c.drawString(LEFT, self.y, f"{label}：")
        lines = _wrap(c, self.font, size, value or "—", WIDTH - LEFT * 2 - 35 * mm) or ["—"]
        for line in lines:
            c.drawString(LEFT + 35 * mm, self.y, line)
            self.y -= LINE
        if self.y < 40 * mm:
            c.showPage()
            self.y = HEIGHT - 30 * mm

    def paragraph(self, text: str, size: float = 11) -> None:
        self.c.setFont(self.font, size)
        for line in _wrap(self.c, self.font, size, text, WIDTH - LEFT * 2):
            self.c.drawString(LEFT, self.y, line)
            self.y -= LINE * 0.9

    def finish(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buffer.getvalue()


def permit_pdf(app: Application) -> bytes:
    """The permit, once the application is approved: unit, owner, contractor, works, dates and
    the allowed working hours."""
    if app.approved_at is None:
        raise DomainError(
            "invalid_transition", _("The permit is printed once the application is approved.")
        )
    policy = policy_for(app.estate)
    doc = _Doc("装修许可证")
    works = "、".join(w.name for w in app.work_types.all())
    doc.row("编号", app.number)
    doc.row("小区", app.estate.name)
    doc.row("房号", app.unit.number)
    doc.row("业主", app.owner_name)
    doc.row("施工单位", app.contractor)
    doc.row("负责人", f"{app.contractor_person}　{app.contractor_phone}")
    doc.row("施工人数", f"{app.workers} 人")
    doc.row("装修项目", works)
    doc.row("施工期限", f"{app.start_date:%Y年%m月%d日} 至 {app.end_date:%Y年%m月%d日}")
    doc.row("施工时间", f"每日 {policy.work_from:%H:%M} 至 {policy.work_until:%H:%M}")
    doc.row("噪音作业", f"每日 {policy.noisy_from:%H:%M} 至 {policy.noisy_until:%H:%M}")
    doc.row("批准日期", f"{local(app.approved_at, app.estate):%Y年%m月%d日}")
    doc.y -= LINE / 2
    doc.paragraph(
        "请将本证张贴于户门外醒目位置。施工须遵守《装修管理规定》：不得拆改承重结构、"
        "不得改变外立面、不得在楼道堆放建筑垃圾，噪音作业仅限上述时间。"
    )
    doc.y -= LINE
    doc.paragraph(f"物业服务中心（盖章）　服务电话：{app.estate.service_phone or '—'}", size=12)
    return doc.finish()


def notice_pdf(violation: Violation) -> bytes:
    """The rectification notice of a violation: what, where, found when, rectify by when."""
    app = violation.application
    estate = violation.estate
    doc = _Doc("整改通知书")
    doc.row("编号", violation.number)
    doc.row("小区", estate.name)
    doc.row("房号", app.unit.number)
    doc.row("业主", app.owner_name)
    doc.row("施工单位", app.contractor)
    doc.row("违章类型", violation.type.name)
    doc.row("违章情况", violation.description)
    doc.row("发现时间", f"{local(violation.found_at, estate):%Y年%m月%d日 %H:%M}")
    doc.row("整改期限", f"{local(violation.rectify_due_at, estate):%Y年%m月%d日 %H:%M} 前")
    doc.y -= LINE / 2
    doc.paragraph(
        "经巡查，贵户装修存在上述违规行为。请于整改期限前完成整改并通知物业服务中心复查；"
        "逾期未整改的，物业服务中心将上报处理，并依规定从装修押金中扣除相应款项。"
    )
    doc.y -= LINE
    doc.row("物业服务中心", estate.service_phone or "")
    return doc.finish()


def worker_pass_pdf(worker: Worker) -> bytes:
    """A worker's pass, valid from the application's start to its end, in the allowed hours."""
    app = worker.application
    estate = app.estate
    policy = policy_for(estate)
    doc = _Doc("装修工人出入证")
    doc.row("小区", estate.name)
    doc.row("房号", app.unit.number)
    doc.row("申请编号", app.number)
    doc.row("施工单位", app.contractor)
    doc.row("姓名", worker.name)
    doc.row("证件号码", worker.id_masked)
    doc.row("有效期", f"{app.start_date:%Y年%m月%d日} 至 {app.end_date:%Y年%m月%d日}")
    doc.row("出入时间", f"每日 {policy.work_from:%H:%M} 至 {policy.work_until:%H:%M}")
    doc.y -= LINE / 2
    doc.paragraph(
        "本证仅限本人在有效期内、出入时间内进出小区使用，请随身携带并主动出示，不得转借。"
    )
    doc.y -= LINE
    doc.paragraph(f"物业服务中心（盖章）　服务电话：{estate.service_phone or '—'}", size=12)
    return doc.finish()
