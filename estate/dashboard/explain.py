"""Each rate in plain words, for managers, in Chinese and English: what is counted, which date
puts a record in a month, what "on time" means. Derived from KPI.md and docs/rates.md; the
explanation page, every dashboard figure's "?" link and the bulletin read it from here.

A metric registered later without an entry here is still listed, with its numerator and
denominator only (the page says no explanation is written yet)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Explanation:
    counts: tuple[str, str]  # (zh, en): the numerator, out of the denominator
    month: tuple[str, str]  # which date puts a record in a month
    on_time: tuple[str, str] | None = None  # what "on time" / "satisfied" means, if anything

    @staticmethod
    def _pick(pair):
        if pair is None:
            return ""
        return pair[0] if (get_language() or "zh-hans").startswith("zh") else pair[1]

    @property
    def counts_text(self) -> str:
        return self._pick(self.counts)

    @property
    def month_text(self) -> str:
        return self._pick(self.month)

    @property
    def on_time_text(self) -> str:
        return self._pick(self.on_time)


_TICKET_MONTH = (
    "工单的报修（投诉）时间所在月份，按小区时区计算。已取消的工单（重复、无效）不计入。",
    "The month of the ticket's reported time, in the estate's time zone. Cancelled tickets "
    "(duplicates, invalid) are not counted.",
)
_DEADLINE = (
    "时限是登记工单时定下的时限，按挂起的时间顺延（按工单的时钟：工作时间类别只算工作分钟）。"
    "未完成且未到期的工单暂不计入分母，等结果可知后再计。",
    "The deadline is the one set when the ticket was logged, moved by the time spent on hold "
    "(on the ticket's clock: working minutes for a business-hours category). A ticket still "
    "open and not yet past its deadline is left out until its outcome is known.",
)
_SATISFIED = (
    "满意指评分 4 分或 5 分（满分 5 分）。",
    "Satisfied means a rating of 4 or 5 out of 5.",
)


def _tickets(word_zh: str, word_en: str) -> dict[str, Explanation]:
    return {
        "response_timely_rate": Explanation(
            (
                f"在响应时限内首次答复的{word_zh}工单数 ÷ 已答复的工单数加上响应时限已过仍未答复的工单数。",
                f"{word_en} tickets first answered by their response deadline, out of the "
                "tickets answered plus those whose response deadline passed unanswered.",
            ),
            _TICKET_MONTH,
            _DEADLINE,
        ),
        "timely_rate": Explanation(
            (
                f"在处理时限内办结的{word_zh}工单数 ÷ 已办结的工单数加上处理时限已过仍未办结的工单数。"
                "重新打开的工单在再次办结前不算办结。",
                f"{word_en} tickets resolved by their resolution deadline, out of the tickets "
                "resolved plus those whose resolution deadline passed unresolved. A reopened "
                "ticket has no resolution until it is resolved again.",
            ),
            _TICKET_MONTH,
            _DEADLINE,
        ),
        "success_rate": Explanation(
            (
                f"关闭时结果为“已解决”且从未被重新打开的{word_zh}工单数 ÷ 已关闭的工单数。",
                f"{word_en} tickets closed as solved and never reopened, out of the tickets "
                "closed.",
            ),
            _TICKET_MONTH,
        ),
        "satisfaction_rate": Explanation(
            (
                f"回访评分为满意的{word_zh}工单数 ÷ 有回访评分的工单数。",
                f"{word_en} tickets whose return-visit rating is satisfied, out of the tickets "
                "with a return-visit rating.",
            ),
            _TICKET_MONTH,
            _SATISFIED,
        ),
        "return_visit_rate": Explanation(
            (
                f"已办结且在（最近一次）办结之后回访联系到住户的{word_zh}工单数 ÷ 已办结的工单数。"
                "没有联系上住户的回访不算。",
                f"Resolved {word_en.lower()} tickets with a return visit that reached the "
                "resident after the (latest) resolution, out of the resolved tickets. A call "
                "that did not reach the resident does not count.",
            ),
            _TICKET_MONTH,
        ),
    }


EXPLANATIONS: dict[str, Explanation] = {
    **{f"repairs.{k}": v for k, v in _tickets("报修", "Repair").items()},
    **{f"complaints.{k}": v for k, v in _tickets("投诉", "Complaint").items()},
    "movein.satisfaction_rate": Explanation(
        (
            "评分为满意的交房数 ÷ 有评分的交房数。",
            "Handovers rated 4 or 5, out of handovers with a rating.",
        ),
        ("交房完成时间所在月份。", "The month the handover was completed."),
        _SATISFIED,
    ),
    "movein.on_schedule_rate": Explanation(
        (
            "在预约日期当天或之前完成的交房数 ÷ 已完成的交房数。",
            "Handovers completed on or before their booked date, out of the handovers completed.",
        ),
        ("交房完成时间所在月份。", "The month the handover was completed."),
        (
            "按期指完成日期（小区当地日期）不晚于预约日期。",
            "On schedule means completed on or before the booked date (the estate's local date).",
        ),
    ),
    "fees.collection_rate": Explanation(
        (
            "本月账单至今已收的金额（元）÷ 本月账单应收的金额（元）。按金额计，不按账单张数；作废账单不计。",
            "Yuan paid so far on the month's bills, out of yuan due on them. It counts money, "
            "not bills; voided bills are not counted.",
        ),
        ("账单的到期日所在月份。", "The month of the bill's due date."),
    ),
    "fees.timely_rate": Explanation(
        (
            "在到期日当天或之前全额缴清的账单数 ÷ 已全额缴清的账单数加上已过到期日的账单数。",
            "Bills fully paid on or before their due date, out of bills fully paid plus those "
            "past their due date.",
        ),
        ("账单的到期日所在月份。", "The month of the bill's due date."),
        (
            "按时指最后一笔缴款的日期不晚于到期日。",
            "On time means the date of the last payment is on or before the due date.",
        ),
    ),
    "fees.accuracy_rate": Explanation(
        (
            "本月开出且未作废的账单数 ÷ 本月开出的账单数（含作废的）。",
            "Bills issued in the month and not voided, out of all bills issued in the month, "
            "voided ones included.",
        ),
        ("账单的开具时间所在月份。", "The month the bill was issued."),
    ),
    "fees.arrears_recovery_rate": Explanation(
        (
            "本月收回的往期欠款（月初前到期、月初时尚未缴清的账单），扣除本月的冲正 ÷ 这些账单在月初时尚欠的金额。",
            "Yuan received in the month on older debt (bills due before the month and unpaid "
            "at its start), net of reversals made in the month, out of what those bills still "
            "owed at the start of the month.",
        ),
        ("款项分配到账单的日期所在月份。", "The month the money was applied to the bill."),
    ),
    "renovation.violation_detection_rate": Explanation(
        (
            "由员工巡查发现的违章数 ÷ 全部违章数（巡查、住户举报、竣工验收发现）。",
            "Violations found by staff inspections, out of all violations (inspections, "
            "residents' reports, final acceptance).",
        ),
        ("违章的发现时间所在月份。", "The month the violation was found."),
    ),
    "renovation.violation_timely_rate": Explanation(
        (
            "在整改期限内整改完毕并关闭的违章数 ÷ 已关闭的违章数加上已过整改期限的违章数。",
            "Violations closed as rectified by their rectification deadline, out of violations "
            "closed plus those past their deadline.",
        ),
        ("违章的发现时间所在月份。", "The month the violation was found."),
        (
            "及时指整改完成时间不晚于整改期限。",
            "Timely means rectified no later than the rectification deadline.",
        ),
    ),
    "renovation.violation_success_rate": Explanation(
        (
            "以“已整改”关闭的违章数 ÷ 已关闭的违章数。",
            "Violations closed as rectified, out of the violations closed.",
        ),
        ("违章的发现时间所在月份。", "The month the violation was found."),
    ),
    "community.event_attendance_rate": Explanation(
        (
            "已确认报名且签到出席的人数 ÷ 已确认报名的人数。",
            "Confirmed sign-ups marked attended, out of confirmed sign-ups.",
        ),
        ("活动开始时间所在月份。", "The month the event started."),
    ),
    "community.survey_satisfaction_rate": Explanation(
        (
            "评分为满意的问卷答案数（每个方面各算一条）÷ 问卷答案数。",
            "Survey answers (every aspect counts once) rated satisfied, out of survey answers.",
        ),
        ("答卷时间所在月份。", "The month the answer was given."),
        _SATISFIED,
    ),
}


def explain(key: str) -> Explanation | None:
    return EXPLANATIONS.get(key)
