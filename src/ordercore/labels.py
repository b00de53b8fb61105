"""English and Chinese (zh-CN) labels for every status, dimension, channel and error code.

One table holds them all, keyed by a namespace (the enum's class name, or ``"error"`` for
error codes) and the value. [`label`][ordercore.labels.label] looks one up.

Examples:
    >>> from ordercore.status import OrderStatus
    >>> label(OrderStatus.UNDER_REVIEW), label(OrderStatus.UNDER_REVIEW, "zh")
    ('Under review', '审核中')
    >>> from ordercore.errors import CurrencyMismatch
    >>> label(CurrencyMismatch, "zh")
    '币种不一致'
"""

from __future__ import annotations

from enum import Enum
from types import MappingProxyType
from typing import Final, Literal

__all__ = ["LABELS", "Language", "label", "labels_for"]

Language = Literal["en", "zh"]
"""A label language: ``"en"`` or ``"zh"`` (simplified Chinese, zh-CN)."""

_TABLE: dict[tuple[str, str], tuple[str, str]] = {
    # OrderStatus
    ("OrderStatus", "draft"): ("Draft", "草稿"),
    ("OrderStatus", "submitted"): ("Submitted", "已提交"),
    ("OrderStatus", "under_review"): ("Under review", "审核中"),
    ("OrderStatus", "approved"): ("Approved", "已审核"),
    ("OrderStatus", "in_fulfilment"): ("In fulfilment", "履行中"),
    ("OrderStatus", "fulfilled"): ("Fulfilled", "已交付"),
    ("OrderStatus", "closed"): ("Closed", "已关闭"),
    ("OrderStatus", "rejected"): ("Rejected", "已驳回"),
    ("OrderStatus", "cancelled"): ("Cancelled", "已取消"),
    ("OrderStatus", "expired"): ("Expired", "已过期"),
    # Progress
    ("Progress", "none"): ("None", "未开始"),
    ("Progress", "partial"): ("Partial", "部分"),
    ("Progress", "full"): ("Full", "全部"),
    # Channel
    ("Channel", "phone"): ("Phone", "电话"),
    ("Channel", "fax"): ("Fax", "传真"),
    ("Channel", "web"): ("Web", "网站"),
    ("Channel", "edi"): ("EDI", "电子数据交换"),
    ("Channel", "email"): ("E-mail", "电子邮件"),
    ("Channel", "api"): ("API", "系统接口"),
    # Dimension
    ("Dimension", "allocation"): ("Allocation", "分配"),
    ("Dimension", "production"): ("Production", "生产"),
    ("Dimension", "packing"): ("Packing", "包装"),
    ("Dimension", "shipping"): ("Shipping", "发货"),
    ("Dimension", "fulfilment"): ("Fulfilment", "交付"),
    ("Dimension", "billing"): ("Billing", "开票"),
    ("Dimension", "payment"): ("Payment", "收款"),
    ("Dimension", "returns"): ("Returns", "退货"),
    # LedgerField
    ("LedgerField", "cancelled"): ("Cancelled", "已取消"),
    ("LedgerField", "allocated"): ("Allocated", "已分配"),
    ("LedgerField", "planned"): ("Planned", "已排产"),
    ("LedgerField", "procured"): ("Procured", "已采购"),
    ("LedgerField", "produced"): ("Produced", "已生产"),
    ("LedgerField", "packed"): ("Packed", "已包装"),
    ("LedgerField", "shipped"): ("Shipped", "已发货"),
    ("LedgerField", "delivered"): ("Delivered", "已签收"),
    ("LedgerField", "return_requested"): ("Return requested", "已申请退货"),
    ("LedgerField", "returned"): ("Returned", "已退回"),
    ("LedgerField", "exchanged"): ("Exchanged", "已换货"),
    ("LedgerField", "repaired"): ("Repaired", "已维修"),
    ("LedgerField", "invoiced"): ("Invoiced", "已开票"),
    ("LedgerField", "paid"): ("Paid", "已收款"),
    # error codes
    ("error", "ordercore_error"): ("Order processing error", "订单处理错误"),
    ("error", "unknown_currency"): ("Unknown currency", "未知币种"),
    ("error", "currency_mismatch"): ("Currency mismatch", "币种不一致"),
    ("error", "ledger_violation"): ("Quantity ledger violation", "数量台账校验失败"),
    ("error", "invalid_transition"): ("Command not allowed in this status", "当前状态不允许此操作"),
    ("error", "guard_rejected"): ("Command refused by a check", "操作未通过校验"),
    ("error", "amount_out_of_range"): ("Amount out of range", "金额超出范围"),
    ("error", "invalid_command"): ("Command has a bad field", "指令字段无效"),
    ("error", "invalid_argument"): ("Bad argument", "参数无效"),
    ("error", "trail_error"): ("Event does not fit the order's trail", "事件与订单记录不符"),
    ("error", "concurrency_conflict"): ("Order changed by someone else", "订单已被他人修改"),
    ("error", "order_not_found"): ("Order not found", "订单不存在"),
    ("error", "order_already_exists"): ("Order already exists", "订单已存在"),
    ("error", "corrupt_record"): ("Stored record is damaged", "存储记录已损坏"),
    ("error", "configuration_error"): ("Configuration error", "配置错误"),
    ("error", "unsound_machine"): ("Unsound lifecycle definition", "生命周期定义不完整"),
    ("error", "frame_schema_error"): ("Data does not match the schema", "数据不符合规范"),
    ("error", "unsupported_backend"): ("Unsupported data frame library", "不支持的数据框类型"),
    # CommandName values (lifecycle)
    ("CommandName", "submit"): ("Submit", "提交"),
    ("CommandName", "start_review"): ("Start review", "开始审核"),
    ("CommandName", "approve"): ("Approve", "审核通过"),
    ("CommandName", "reject"): ("Reject", "驳回"),
    ("CommandName", "cancel"): ("Cancel order", "取消订单"),
    ("CommandName", "expire"): ("Expire", "过期"),
    ("CommandName", "amend"): ("Amend", "变更订单"),
    ("CommandName", "allocate"): ("Allocate", "分配产能/库存"),
    ("CommandName", "release_allocation"): ("Release allocation", "释放分配"),
    ("CommandName", "amend_header"): ("Amend header", "变更订单抬头"),
    ("CommandName", "repromise"): ("Re-promise delivery", "重新承诺交期"),
    ("CommandName", "reopen"): ("Reopen", "重新打开订单"),
    ("CommandName", "plan_production"): ("Plan production", "排产"),
    ("CommandName", "procure"): ("Procure material", "物料采购"),
    ("CommandName", "produce"): ("Record production", "生产报工"),
    ("CommandName", "pack"): ("Pack", "包装"),
    ("CommandName", "ship"): ("Ship", "发货"),
    ("CommandName", "deliver"): ("Record delivery", "签收"),
    ("CommandName", "invoice"): ("Invoice", "开票"),
    ("CommandName", "record_payment"): ("Record payment", "登记收款"),
    ("CommandName", "short_close"): ("Short-close line", "行关闭"),
    ("CommandName", "dispatch"): ("Dispatch shipment", "发运"),
    ("CommandName", "record_transit"): ("Record in transit", "登记在途"),
    ("CommandName", "confirm_delivery"): ("Confirm delivery", "确认签收"),
    ("CommandName", "backorder"): ("Backorder", "登记缺货待补"),
    ("CommandName", "split_off"): ("Split order", "拆分订单"),
    ("CommandName", "merge_into"): ("Merge into another order", "合并至其他订单"),
    ("CommandName", "take_lines"): ("Take merged lines", "并入订单行"),
    ("OrderRelation", "merged_into"): ("Merged into", "已合并至"),
    ("OrderRelation", "merged_from"): ("Merged from", "合并自"),
    ("OrderRelation", "split_from"): ("Split from", "拆分自"),
    ("OrderRelation", "split_into"): ("Split into", "拆分为"),
    ("CommandName", "place_hold"): ("Place hold", "冻结"),
    ("CommandName", "release_hold"): ("Release hold", "解除冻结"),
    ("CommandName", "record_risk_assessment"): ("Record risk assessment", "记录风险评估"),
    ("CommandName", "record_checkpoint"): ("Record checkpoint", "记录监督检查点"),
    ("CommandName", "issue_invoice"): ("Issue invoice", "开具发票"),
    ("CommandName", "issue_credit_note"): ("Issue credit note", "开具红字发票"),
    ("CommandName", "receive_payment"): ("Receive payment", "收款入账"),
    ("CommandName", "issue_refund"): ("Issue refund", "退款"),
    ("CommandName", "open_case"): ("Open after-sales case", "创建售后单"),
    ("CommandName", "advance_case"): ("Advance after-sales case", "处理售后单"),
    ("CommandName", "record_feedback"): ("Record feedback", "记录客户反馈"),
    ("CommandName", "waive_feedback"): ("Waive feedback", "免于反馈"),
    ("CommandName", "close"): ("Close", "关闭订单"),
    ("CommandName", "archive"): ("Archive", "归档"),
    ("CommandName", "create"): ("Create order", "创建订单"),
    ("CommandName", "start_fulfilment"): ("Start fulfilment (derived)", "开始履行（自动）"),
    ("CommandName", "complete_fulfilment"): ("Complete fulfilment (derived)", "履行完成（自动）"),
    ("CommandName", "send_back_to_review"): ("Send back to review (derived)", "退回审核（自动）"),
    # HoldReason values (lifecycle)
    ("HoldReason", "credit"): ("Credit", "信用"),
    ("HoldReason", "risk"): ("Risk", "风险"),
    ("HoldReason", "address"): ("Address", "地址"),
    ("HoldReason", "stock"): ("Stock", "库存"),
    ("HoldReason", "customer_request"): ("Customer request", "客户要求"),
    ("HoldReason", "quality"): ("Quality", "质量"),
    ("HoldReason", "other"): ("Other", "其他"),
    # HoldAction values (lifecycle)
    ("HoldAction", "approve"): ("Approve", "审核通过"),
    ("HoldAction", "allocate"): ("Allocate", "分配"),
    ("HoldAction", "plan_production"): ("Plan production", "排产"),
    ("HoldAction", "procure"): ("Procure", "采购"),
    ("HoldAction", "produce"): ("Produce", "生产"),
    ("HoldAction", "pack"): ("Pack", "包装"),
    ("HoldAction", "ship"): ("Ship", "发货"),
    ("HoldAction", "deliver"): ("Deliver", "签收"),
    ("HoldAction", "invoice"): ("Invoice", "开票"),
    # CaseKind values (lifecycle)
    ("CaseKind", "return"): ("Return (RMA)", "退货"),
    ("CaseKind", "exchange"): ("Exchange", "换货"),
    ("CaseKind", "repair"): ("Repair / warranty", "维修/保修"),
    ("CaseKind", "complaint"): ("Complaint", "投诉"),
    # CaseStatus values (lifecycle)
    ("CaseStatus", "requested"): ("Requested", "已申请"),
    ("CaseStatus", "approved"): ("Approved", "已批准"),
    ("CaseStatus", "declined"): ("Declined", "已拒绝"),
    ("CaseStatus", "received"): ("Received", "已收到"),
    ("CaseStatus", "investigated"): ("Investigated", "已调查"),
    ("CaseStatus", "refunded"): ("Refunded", "已退款"),
    ("CaseStatus", "replaced"): ("Replaced", "已更换"),
    ("CaseStatus", "repaired"): ("Repaired", "已维修"),
    ("CaseStatus", "resolved"): ("Resolved", "已解决"),
    # CaseAction values (lifecycle)
    ("CaseAction", "approve"): ("Approve", "批准"),
    ("CaseAction", "decline"): ("Decline", "拒绝"),
    ("CaseAction", "receive"): ("Receive", "收货"),
    ("CaseAction", "refund"): ("Refund", "退款"),
    ("CaseAction", "replace"): ("Replace", "更换"),
    ("CaseAction", "repair"): ("Repair", "维修"),
    ("CaseAction", "investigate"): ("Investigate", "调查"),
    ("CaseAction", "resolve"): ("Resolve", "解决"),
    # TransportMode and ShipmentStatus values (shipments)
    ("TransportMode", "road"): ("Road", "公路"),
    ("TransportMode", "rail"): ("Rail", "铁路"),
    ("TransportMode", "sea"): ("Sea", "海运"),
    ("TransportMode", "air"): ("Air", "空运"),
    ("TransportMode", "courier"): ("Courier", "快递"),
    ("TransportMode", "pickup"): ("Customer pickup", "客户自提"),
    ("ShipmentStatus", "dispatched"): ("Dispatched", "已发运"),
    ("ShipmentStatus", "in_transit"): ("In transit", "运输中"),
    ("ShipmentStatus", "partly_delivered"): ("Partly delivered", "部分签收"),
    ("ShipmentStatus", "delivered"): ("Delivered", "已签收"),
    # RepairTerms and Disposition values (after-sales)
    ("RepairTerms", "warranty"): ("Under warranty", "保修"),
    ("RepairTerms", "chargeable"): ("Chargeable", "收费维修"),
    ("Disposition", "restock"): ("Restock", "退回库存"),
    ("Disposition", "scrap"): ("Scrap", "报废"),
    # ReturnCondition values (lifecycle)
    ("ReturnCondition", "resaleable"): ("Resaleable", "完好可售"),
    ("ReturnCondition", "damaged"): ("Damaged", "破损"),
    ("ReturnCondition", "defective"): ("Defective", "质量缺陷"),
    ("ReturnCondition", "wrong_item"): ("Wrong item", "错发货品"),
    # RootCause values (lifecycle)
    ("RootCause", "product_defect"): ("Product defect", "产品缺陷"),
    ("RootCause", "wrong_item"): ("Wrong item", "错发货品"),
    ("RootCause", "damaged_in_transit"): ("Damaged in transit", "运输损坏"),
    ("RootCause", "late_delivery"): ("Late delivery", "延迟交付"),
    ("RootCause", "packaging"): ("Packaging", "包装问题"),
    ("RootCause", "customer_change"): ("Customer change", "客户变更"),
    ("RootCause", "service"): ("Service", "服务问题"),
    ("RootCause", "other"): ("Other", "其他"),
    # ActorKind values (lifecycle)
    ("ActorKind", "user"): ("User", "用户"),
    ("ActorKind", "system"): ("System", "系统"),
    ("ActorKind", "integration"): ("Integration", "外部系统"),
    # Party values (who asked for a cancellation)
    ("Party", "customer"): ("Customer", "客户"),
    ("Party", "seller"): ("Seller", "卖方"),
    # KPI result statuses, ordercore.kpi
    ("KpiStatus", "ok"): ("OK", "正常"),
    ("KpiStatus", "no_data"): ("No data", "无数据"),
    ("KpiStatus", "insufficient_sample"): ("Insufficient sample", "样本不足"),
    # order error taxonomy, ordercore.kpi
    ("ErrorType", "wrong_item"): ("Wrong item", "错发货品"),
    ("ErrorType", "wrong_quantity"): ("Wrong quantity", "数量错误"),
    ("ErrorType", "missing_item"): ("Missing item", "漏发"),
    ("ErrorType", "wrong_address"): ("Wrong address", "地址错误"),
    ("ErrorType", "documentation"): ("Documentation error", "单据错误"),
    ("ErrorType", "pricing"): ("Pricing error", "价格错误"),
    ("ErrorType", "damaged"): ("Damaged", "货损"),
    # monitoring alert severities, ordercore.kpi
    ("Severity", "warning"): ("Warning", "警告"),
    ("Severity", "critical"): ("Critical", "严重"),
    # RiskLevel values, ordercore.risk
    ("RiskLevel", "low"): ("Low", "低"),
    ("RiskLevel", "medium"): ("Medium", "中"),
    ("RiskLevel", "high"): ("High", "高"),
    ("RiskLevel", "critical"): ("Critical", "严重"),
    # Recommendation values, ordercore.risk
    ("Recommendation", "accept"): ("Accept", "接受"),
    ("Recommendation", "review"): ("Review", "人工审核"),
    ("Recommendation", "hold"): ("Hold", "冻结"),
    ("Recommendation", "reject"): ("Reject", "拒绝"),
    # SupervisionIntensity values, ordercore.risk
    ("SupervisionIntensity", "routine"): ("Routine", "常规"),
    ("SupervisionIntensity", "heightened"): ("Heightened", "加强"),
    ("SupervisionIntensity", "close"): ("Close", "重点"),
    ("SupervisionIntensity", "escalated"): ("Escalated", "升级"),
    # ContingencyAction values, ordercore.risk
    ("ContingencyAction", "request_prepayment"): (
        "Ask for prepayment or a deposit",
        "要求预付款或定金",
    ),
    ("ContingencyAction", "credit_controller_approval"): (
        "Get the credit controller's approval",
        "报信用主管审批",
    ),
    ("ContingencyAction", "obtain_credit_data"): (
        "Obtain the customer's current credit position",
        "获取客户最新信用数据",
    ),
    ("ContingencyAction", "collect_overdue"): (
        "Collect overdue receivables before release",
        "放行前催收逾期应收款",
    ),
    ("ContingencyAction", "confirm_with_customer"): (
        "Confirm the order with the customer in writing",
        "与客户书面确认订单",
    ),
    ("ContingencyAction", "verify_customer"): (
        "Verify the customer's identity and registration",
        "核实客户身份与工商登记",
    ),
    ("ContingencyAction", "confirm_date_with_planning"): (
        "Confirm the date with production planning",
        "与生产计划确认交期",
    ),
    ("ContingencyAction", "negotiate_date_or_split"): (
        "Negotiate a later date or a split delivery",
        "协商延期或分批交货",
    ),
    ("ContingencyAction", "send_written_confirmation"): (
        "Send a written order confirmation",
        "发送书面订单确认",
    ),
    ("ContingencyAction", "verify_ship_to"): (
        "Verify the ship-to address with the customer",
        "与客户核实收货地址",
    ),
    ("ContingencyAction", "check_export_rules"): (
        "Check export and tax rules for the destination",
        "核查目的地出口及税务规定",
    ),
    ("ContingencyAction", "confirm_quantity"): (
        "Confirm the quantity with the customer",
        "与客户确认数量",
    ),
    ("ContingencyAction", "round_to_pack"): (
        "Round to whole packs or confirm with the customer",
        "按整包装调整或与客户确认",
    ),
    ("ContingencyAction", "approve_terms_change"): (
        "Have the payment-terms change approved",
        "付款条件变更需审批",
    ),
    ("ContingencyAction", "resolve_review_warnings"): (
        "Resolve the review warnings",
        "处理审核警告",
    ),
    ("ContingencyAction", "approve_discount"): ("Have the discount approved", "折扣需审批"),
    ("ContingencyAction", "check_duplicate"): (
        "Check with the customer whether this is a duplicate",
        "与客户核实是否重复下单",
    ),
    ("ContingencyAction", "complete_master_data"): (
        "Complete the missing master data",
        "补全缺失的主数据",
    ),
    ("ContingencyAction", "escalate_to_management"): (
        "Escalate to the sales manager",
        "上报销售经理",
    ),
    # RiskFactor codes, ordercore.risk
    ("RiskFactor", "credit_exposure"): ("Credit exposure", "信用敞口"),
    ("RiskFactor", "overdue_days"): ("Overdue days", "逾期天数"),
    ("RiskFactor", "overdue_amount"): ("Overdue amount", "逾期金额"),
    ("RiskFactor", "order_value"): ("Order value against history", "订单金额异常"),
    ("RiskFactor", "first_order"): ("First order", "首次下单"),
    ("RiskFactor", "lead_time"): ("Requested date vs lead time", "要求交期与提前期"),
    ("RiskFactor", "capacity"): ("Capacity", "产能"),
    ("RiskFactor", "manual_channel"): ("Manual channel", "人工渠道"),
    ("RiskFactor", "ship_to"): ("Ship-to address", "收货地址"),
    ("RiskFactor", "quantity"): ("Quantity", "数量"),
    ("RiskFactor", "pack_multiple"): ("Pack multiple", "包装倍数"),
    ("RiskFactor", "payment_terms"): ("Payment terms", "付款条件"),
    ("RiskFactor", "review_warnings"): ("Review warnings", "审核警告"),
    ("RiskFactor", "discount"): ("Discount", "折扣"),
    ("RiskFactor", "duplicate"): ("Possible duplicate", "疑似重复订单"),
    # RiskReason codes, ordercore.risk (factor reasons, unknown data, hard stops)
    ("RiskReason", "clear"): ("Within limits", "正常"),
    ("RiskReason", "credit_near_limit"): (
        "Exposure after this order is near the credit limit",
        "下单后信用敞口接近信用额度",
    ),
    ("RiskReason", "credit_over_limit"): (
        "Exposure after this order is over the credit limit",
        "下单后信用敞口超过信用额度",
    ),
    ("RiskReason", "credit_unknown"): (
        "Credit position unknown (no limit or exposure on file)",
        "信用状况未知（无额度或敞口数据）",
    ),
    ("RiskReason", "overdue_any"): ("Customer has overdue receivables", "客户有逾期应收款"),
    ("RiskReason", "overdue_30_days"): (
        "Receivables overdue 30 days or more",
        "应收款逾期30天及以上",
    ),
    ("RiskReason", "overdue_60_days"): (
        "Receivables overdue 60 days or more",
        "应收款逾期60天及以上",
    ),
    ("RiskReason", "overdue_days_unknown"): ("Overdue days unknown", "逾期天数未知"),
    ("RiskReason", "overdue_amount_10pct"): (
        "Overdue amount is 10 % of the credit limit or more",
        "逾期金额达信用额度的10%及以上",
    ),
    ("RiskReason", "overdue_amount_30pct"): (
        "Overdue amount is 30 % of the credit limit or more",
        "逾期金额达信用额度的30%及以上",
    ),
    ("RiskReason", "overdue_amount_unknown"): ("Overdue amount unknown", "逾期金额未知"),
    ("RiskReason", "value_outlier"): (
        "Order value unusual for this customer (robust z-score)",
        "订单金额对该客户异常（稳健Z分数）",
    ),
    ("RiskReason", "value_extreme_outlier"): (
        "Order value far outside this customer's history",
        "订单金额远超该客户历史水平",
    ),
    ("RiskReason", "value_cold_start_jump"): (
        "Order value a multiple of the customer's largest order",
        "订单金额为客户历史最大订单的数倍",
    ),
    ("RiskReason", "value_no_history"): (
        "No order history to compare the value with",
        "无历史订单可比较金额",
    ),
    ("RiskReason", "first_order"): ("First order from this customer", "该客户首次下单"),
    ("RiskReason", "first_order_unknown"): ("Customer's order history unknown", "客户下单历史未知"),
    ("RiskReason", "inside_lead_time"): (
        "Requested date inside the quoted lead time",
        "要求交期短于报价提前期",
    ),
    ("RiskReason", "far_inside_lead_time"): (
        "Requested date far inside the quoted lead time",
        "要求交期远短于报价提前期",
    ),
    ("RiskReason", "lead_time_unknown"): (
        "Lead time unknown (product not in the master)",
        "提前期未知（产品主数据缺失）",
    ),
    ("RiskReason", "capacity_tight"): (
        "Order takes most of the free capacity before its date",
        "订单占用交期前大部分空闲产能",
    ),
    ("RiskReason", "beyond_capacity"): (
        "Order needs more capacity than is free before its date",
        "订单所需产能超过交期前空闲产能",
    ),
    ("RiskReason", "capacity_unknown"): ("Free capacity unknown", "空闲产能未知"),
    ("RiskReason", "manual_channel"): (
        "Entered by hand (phone, fax or e-mail)",
        "人工录入订单（电话、传真或邮件）",
    ),
    ("RiskReason", "manual_unconfirmed"): (
        "Phone or fax order without a written confirmation",
        "电话或传真订单无书面确认",
    ),
    ("RiskReason", "manual_channel_unknown"): ("Order channel unknown", "下单渠道未知"),
    ("RiskReason", "new_ship_to"): ("Ship-to address not used before", "收货地址此前未使用"),
    ("RiskReason", "new_ship_to_country"): (
        "Ship-to address in a new country",
        "收货地址位于新国家",
    ),
    ("RiskReason", "ship_to_unknown"): (
        "Ship-to address missing or no address history",
        "收货地址缺失或无地址历史",
    ),
    ("RiskReason", "quantity_over_max"): (
        "Quantity above the product's maximum",
        "数量超过产品上限",
    ),
    ("RiskReason", "quantity_unknown"): (
        "Quantity limits unknown (product not in the master)",
        "数量上限未知（产品主数据缺失）",
    ),
    ("RiskReason", "off_pack"): ("Quantity not a whole number of packs", "数量不是整包装倍数"),
    ("RiskReason", "pack_multiple_unknown"): (
        "Pack size unknown (product not in the master)",
        "包装规格未知（产品主数据缺失）",
    ),
    ("RiskReason", "terms_changed"): (
        "Payment terms differ from the customer master",
        "付款条件与客户主数据不一致",
    ),
    ("RiskReason", "payment_terms_unknown"): (
        "Customer's payment terms unknown",
        "客户付款条件未知",
    ),
    ("RiskReason", "review_warning"): ("Order review raised a warning", "订单审核有警告"),
    ("RiskReason", "review_warnings_many"): (
        "Order review raised several warnings",
        "订单审核有多项警告",
    ),
    ("RiskReason", "review_warnings_unknown"): ("Order review not run", "未执行订单审核"),
    ("RiskReason", "discount_excess"): ("Discount beyond the allowed maximum", "折扣超过允许上限"),
    ("RiskReason", "discount_unknown"): (
        "Allowed discount unknown (no price list)",
        "允许折扣未知（无价格表）",
    ),
    ("RiskReason", "possible_duplicate"): (
        "Looks like another recent order of the customer",
        "疑似与客户近期订单重复",
    ),
    ("RiskReason", "duplicate_unknown"): ("Recent orders unknown", "近期订单未知"),
    ("RiskReason", "customer_blocked"): (
        "Customer is blocked for new orders",
        "客户已被冻结，不得接单",
    ),
    ("RiskReason", "exposure_hard_limit"): (
        "Exposure after this order is 150 % of the credit limit or more",
        "下单后信用敞口达信用额度的150%及以上",
    ),
    ("RiskReason", "overdue_hard_limit"): (
        "Receivables overdue 90 days or more",
        "应收款逾期90天及以上",
    ),
    ("RiskReason", "incomplete_data"): (
        "Too much data missing to rate the order low",
        "缺失数据过多，不能评为低风险",
    ),
    # IssueSeverity values, ordercore.validation
    ("IssueSeverity", "error"): ("Error", "错误"),
    ("IssueSeverity", "warning"): ("Warning", "警告"),
    ("IssueSeverity", "info"): ("Note", "提示"),
    # review issue codes, ordercore.validation
    ("IssueCode", "quantity.not_positive"): ("Quantity not positive", "数量不为正"),
    ("IssueCode", "quantity.nothing_open"): ("Nothing left to deliver", "无待交付数量"),
    ("IssueCode", "quantity.below_moq"): ("Below minimum order quantity", "低于最小起订量"),
    ("IssueCode", "quantity.not_pack_multiple"): ("Not a whole number of packs", "不是包装倍数"),
    ("IssueCode", "quantity.above_max"): ("Above maximum quantity", "超过最大数量"),
    ("IssueCode", "product.unknown"): ("Unknown product", "未知产品"),
    ("IssueCode", "product.not_sellable"): ("Product not sellable", "产品不可销售"),
    ("IssueCode", "product.uom_mismatch"): ("Wrong unit of measure", "计量单位不符"),
    ("IssueCode", "price.not_listed"): ("No list price", "价格表无此产品"),
    ("IssueCode", "price.off_list"): ("Price differs from the price list", "价格与价格表不符"),
    ("IssueCode", "price.list_currency"): ("Price list in another currency", "价格表币种不同"),
    ("IssueCode", "price.discount_above_limit"): ("Discount above limit", "折扣超过上限"),
    ("IssueCode", "totals.line_rounds_to_zero"): ("Line amount rounds to zero", "行金额舍入为零"),
    ("IssueCode", "totals.stated_mismatch"): ("Total differs from the document", "合计与单据不符"),
    ("IssueCode", "currency.customer_mismatch"): ("Not the customer's currency", "非客户结算币种"),
    ("IssueCode", "date.requested_in_past"): ("Requested date in the past", "要求交期已过"),
    ("IssueCode", "date.inside_lead_time"): (
        "Requested date inside lead time",
        "要求交期短于交货周期",
    ),
    ("IssueCode", "capacity.insufficient"): ("Not enough capacity", "产能不足"),
    ("IssueCode", "promise.date_not_kept"): ("Promised date not kept", "承诺交期无法满足"),
    ("IssueCode", "customer.unknown"): ("Unknown customer", "未知客户"),
    ("IssueCode", "credit.blocked"): ("Customer blocked", "客户已冻结"),
    ("IssueCode", "credit.limit_exceeded"): ("Credit limit exceeded", "超出信用额度"),
    ("IssueCode", "credit.no_limit"): ("No credit limit set", "未设置信用额度"),
    ("IssueCode", "credit.exposure_unknown"): ("Open exposure unknown", "未清敞口未知"),
    ("IssueCode", "credit.not_comparable"): ("Credit data in another currency", "信用数据币种不同"),
    ("IssueCode", "credit.overdue"): ("Overdue beyond allowed days", "逾期超过允许天数"),
    ("IssueCode", "duplicate.same_lines"): ("Possible duplicate order", "疑似重复订单"),
    ("IssueCode", "duplicate.same_po"): ("Purchase order used twice", "采购单号重复"),
    ("IssueCode", "address.missing"): ("No delivery address", "缺少收货地址"),
    ("IssueCode", "address.incomplete"): ("Delivery address incomplete", "收货地址不完整"),
    ("IssueCode", "contact.missing"): ("No contact", "缺少联系人"),
    ("IssueCode", "contact.incomplete"): ("Contact incomplete", "联系人信息不完整"),
    ("IssueCode", "contact.unreachable"): ("Contact unreachable", "联系人无法联系"),
    ("IssueCode", "channel.confirmation_missing"): (
        "Confirmation reference missing",
        "缺少订单确认单号",
    ),
    # <- sections for further namespaces go above this line, one block per enum
}

LABELS: Final = MappingProxyType(_TABLE)
"""The whole label table: ``(namespace, value) -> (English, Chinese)``. Read-only."""


def _key(item: object) -> tuple[str, str]:
    if isinstance(item, Enum):
        return (type(item).__name__, str(item.value))
    code = getattr(item, "code", None)
    if isinstance(code, str) and isinstance(item, type | BaseException):
        return ("error", code)
    if isinstance(item, tuple) and len(item) == 2 and all(isinstance(p, str) for p in item):  # noqa: PLR2004
        return (item[0], item[1])
    from ordercore.errors import InvalidArgument  # noqa: PLC0415 - errors reads the labels

    raise InvalidArgument(
        "label",
        "item",
        "must be an enum member, an ordercore error (class or instance) or a "
        f"(namespace, value) tuple, not {type(item).__name__}",
    )


def label(item: object, lang: Language | str = "en") -> str:
    """Return the English or Chinese label of a status, dimension, channel or error.

    Args:
        item: An enum member (`OrderStatus.APPROVED`), an ordercore error class or
            instance, or a ``(namespace, value)`` tuple such as ``("error", "unknown_currency")``.
        lang: ``"en"`` (default) or ``"zh"`` (``"zh-CN"`` is accepted too).

    Raises:
        KeyError: If the table has no label for the item.
        ValueError: If the language is neither English nor Chinese.
    """
    if lang in ("zh", "zh-CN", "zh_CN"):
        index = 1
    elif lang == "en":
        index = 0
    else:
        raise ValueError(f"unsupported label language {lang!r}; use 'en' or 'zh'")
    key = _key(item)
    try:
        return _TABLE[key][index]
    except KeyError:
        raise KeyError(f"no label for {key[0]} {key[1]!r}") from None


def labels_for(namespace: str) -> dict[str, tuple[str, str]]:
    """Return every ``value -> (English, Chinese)`` label of one namespace.

    Examples:
        >>> labels_for("Progress")["partial"]
        ('Partial', '部分')
    """
    return {value: pair for (space, value), pair in _TABLE.items() if space == namespace}
