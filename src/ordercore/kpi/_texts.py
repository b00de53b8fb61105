"""English and Chinese texts of the KPI views: column labels, table notes, chart text, alerts.

Each catalogue maps a key to ``(English, Chinese)``; the templates are `str.format` strings
with the same placeholders in both languages (a test walks them all).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from ordercore._lang import is_zh

__all__ = ["ALERTS", "CHART", "COLUMNS", "REFERENCES", "TABLE", "column_label"]

COLUMNS: Final = MappingProxyType(
    {
        # the monthly report, order grain
        "period": ("Period", "期间"),
        "orders": ("Orders", "订单数"),
        "unjudged": ("Not judgeable", "无法判定"),
        "delivered": ("Delivered", "已交付"),
        "censored": ("Still open", "未完成"),
        "cycle_mean_h": ("Mean cycle time (h)", "平均处理周期（小时）"),
        "cycle_p50_h": ("Median cycle time (h)", "处理周期中位数（小时）"),
        "cycle_p90_h": ("90th percentile cycle time (h)", "处理周期P90（小时）"),
        "counted": ("Counted", "计入订单数"),
        "on_time": ("On time", "准时"),
        "in_full": ("In full", "足量"),
        "otif": ("On time in full", "准时足量"),
        "perfect": ("Perfect", "完美订单"),
        "on_time_rate": ("On-time rate", "准时交付率"),
        "in_full_rate": ("In-full rate", "足量交付率"),
        "otif_rate": ("OTIF rate", "准时足量交付率"),
        "perfect_rate": ("Perfect order rate", "完美订单率"),
        "csat_responses": ("CSAT responses", "满意度回复数"),
        "csat_top2": ("Satisfied (4-5)", "满意（4-5分）"),
        "csat_rate": ("CSAT", "客户满意度"),
        "packages": ("Packages", "包裹数"),
        "packages_green": ("Green packages", "环保包裹数"),
        "green_packaging_rate": ("Green packaging", "环保包装占比"),
        "status": ("Status", "状态"),
        # the monthly report, line grain
        "lines": ("Lines", "订单行数"),
        "units_owed": ("Units owed", "应交数量"),
        "units_filled": ("Units filled", "已交数量"),
        "unit_fill_rate": ("Unit fill rate", "数量满足率"),
        # grouping columns
        "owner_id": ("Owner", "负责人"),
        "channel": ("Channel", "渠道"),
        "channel_detail": ("Channel detail", "细分渠道"),
        "customer_id": ("Customer", "客户"),
        # the staff ranking
        "staff": ("Staff", "员工"),
        "n": ("Sample", "样本数"),
        "raw_rate": ("Raw rate", "原始比率"),
        "shrunk_rate": ("Shrunk rate", "收缩后比率"),
        "low_sample": ("Small sample", "样本不足"),
        "rank": ("Rank", "排名"),
        # the alerts frame
        "order_id": ("Order", "订单"),
        "rule": ("Rule", "规则"),
        "age_hours": ("Age (h)", "时长（小时）"),
        "severity": ("Severity", "严重程度"),
        "message": ("Message", "说明"),
    }
)
"""Column labels: ``column -> (en, zh)``."""

TABLE: Final = MappingProxyType(
    {
        "caption": (
            "Monthly report as of {as_of} ({tz})",
            "月度考核报表，截至 {as_of}（{tz}）",
        ),
        "legend": (
            (
                "Figures in parentheses rest on fewer than {min_sample} observations "
                "({samples}): read them with care. {missing}: nothing to count."
            ),
            "括号中的数字所依据的观测值少于 {min_sample} 个（{samples}），请谨慎解读。{missing}：无可统计数据。",
        ),
        "list": (", ", "、"),
        "none": ("(none)", "（无）"),
    }
)
"""Table captions and notes: ``key -> (en, zh)``."""

CHART: Final = MappingProxyType(
    {
        "title": ("Monthly KPIs (as of {as_of}, {tz})", "月度考核指标（截至 {as_of}，{tz}）"),
        "panel": ("{rate} by {by}", "{rate}（按{by}）"),
        "axis": ("share", "占比"),
        "left_out": (
            "left out, fewer than {min_sample} observations: {points}",
            "未绘出（观测值少于 {min_sample} 个）：{points}",
        ),
        "more": ("; and {count} more", "；另有 {count} 个"),
        "nothing": ("nothing to count: {periods}", "无可统计数据：{periods}"),
        "separator": ("; ", "；"),
    }
)
"""The trend chart's title, axis and notes: ``key -> (en, zh)``."""

ALERTS: Final = MappingProxyType(
    {
        "past_due_not_shipped": (
            "order {order_id}: {age} h past its {reference}, nothing shipped ({severity})",
            "订单 {order_id}：已超过{reference} {age} 小时，尚未发货（{severity}）",
        ),
        "stuck_in_status": (
            "order {order_id}: {age} h in status {status}, SLA {limit} h ({severity})",
            "订单 {order_id}：处于“{status}”状态已 {age} 小时，时限 {limit} 小时（{severity}）",
        ),
        "hold_too_long": (
            "order {order_id}: on hold for {age} h, limit {limit} h ({severity})",
            "订单 {order_id}：已冻结 {age} 小时，上限 {limit} 小时（{severity}）",
        ),
        "delivery_without_proof": (
            "order {order_id}: delivered {age} h ago without proof of delivery ({severity})",
            "订单 {order_id}：签收已 {age} 小时，仍无签收凭证（{severity}）",
        ),
    }
)
"""Alert messages by rule: ``rule -> (en, zh)``."""

REFERENCES: Final = MappingProxyType(
    {
        "promised_at": ("promised date", "承诺交期"),
        "requested_at": ("requested date", "要求交期"),
    }
)
"""The reference dates of `PastDueNotShipped`: ``column -> (en, zh)``."""


def column_label(column: str, lang: str = "en") -> str:
    """The label of a KPI column in English or Chinese; a column not listed is its name.

    Examples:
        >>> column_label("otif_rate"), column_label("otif_rate", "zh")
        ('OTIF rate', '准时足量交付率')
        >>> column_label("region", "zh")
        'region'
    """
    pair = COLUMNS.get(column)
    if pair is None:
        is_zh(lang)  # still refuses an unknown language
        return column
    return pair[1] if is_zh(lang) else pair[0]
