"""KPIs and monitoring over data frames (pandas, polars, DuckDB) through narwhals.

Importing this package imports narwhals (and the frame libraries only when you pass their
frames). Start with [`monthly_report`][ordercore.kpi.report.monthly_report]; every KPI function
returns a [`KpiResult`][ordercore.kpi.result.KpiResult].
"""

from __future__ import annotations

from ordercore.kpi.accuracy import (
    ErrorType,
    backorder_rate,
    errors_by_staff,
    order_accuracy,
    perfect_order,
    perfect_order_multiplicative,
    return_rate,
)
from ordercore.kpi.attribution import (
    LatenessAttribution,
    LatenessPolicy,
    lateness_attribution,
    lateness_by,
    promise_at_risk,
)
from ordercore.kpi.check import check_frame, frame_problems, map_columns
from ordercore.kpi.conformance import (
    CheckpointRule,
    ConformancePolicy,
    ConformanceReport,
    conformance,
)
from ordercore.kpi.convert import (
    cases_frame,
    deliveries_frame,
    events_frame,
    lifecycle_frames,
    lines_frame,
    orders_frame,
    surveys_frame,
)
from ordercore.kpi.cost import cost_per_order
from ordercore.kpi.drivers import RateChange, decompose, rate_drivers
from ordercore.kpi.fill import fill_rate
from ordercore.kpi.improvement import ImprovementReport, improvement_report
from ordercore.kpi.monitor import (
    DeliveryWithoutProof,
    HoldTooLong,
    PastDueNotShipped,
    Severity,
    ShippedNotDelivered,
    StageOverdue,
    StuckInStatus,
    alerts,
)
from ordercore.kpi.otif import otif
from ordercore.kpi.pareto import Pareto, failure_causes, pareto
from ordercore.kpi.policies import OtifPolicy
from ordercore.kpi.report import MonthlyReport, line_report, monthly_report, staff_ranking
from ordercore.kpi.result import Interval, KpiResult, KpiStatus
from ordercore.kpi.satisfaction import survey_score
from ordercore.kpi.speed import cycle_time, stage_durations
from ordercore.kpi.synthetic import generate
from ordercore.kpi.trail import trail_frame

__all__ = [
    "CheckpointRule",
    "ConformancePolicy",
    "ConformanceReport",
    "DeliveryWithoutProof",
    "ErrorType",
    "HoldTooLong",
    "ImprovementReport",
    "Interval",
    "KpiResult",
    "KpiStatus",
    "LatenessAttribution",
    "LatenessPolicy",
    "MonthlyReport",
    "OtifPolicy",
    "Pareto",
    "PastDueNotShipped",
    "RateChange",
    "Severity",
    "ShippedNotDelivered",
    "StageOverdue",
    "StuckInStatus",
    "alerts",
    "backorder_rate",
    "cases_frame",
    "check_frame",
    "conformance",
    "cost_per_order",
    "cycle_time",
    "decompose",
    "deliveries_frame",
    "errors_by_staff",
    "events_frame",
    "failure_causes",
    "fill_rate",
    "frame_problems",
    "generate",
    "improvement_report",
    "lateness_attribution",
    "lateness_by",
    "lifecycle_frames",
    "line_report",
    "lines_frame",
    "map_columns",
    "monthly_report",
    "order_accuracy",
    "orders_frame",
    "otif",
    "pareto",
    "perfect_order",
    "perfect_order_multiplicative",
    "promise_at_risk",
    "rate_drivers",
    "return_rate",
    "staff_ranking",
    "stage_durations",
    "survey_score",
    "surveys_frame",
    "trail_frame",
]
