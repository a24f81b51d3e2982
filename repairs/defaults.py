"""The company-wide default set of categories, departments and reply templates that every
estate starts from (``configuration.defaults_install``); each estate then edits its own copy.

Service levels are minutes: (response normal, urgent, emergency), (resolve normal, urgent,
emergency). Emergencies always run around the clock."""

H = 60
D = 24 * H

# code, kind, name, English name, business hours, response minutes, resolve minutes
CATEGORIES = [
    ("plumbing", "repair", "给排水", "Plumbing", True, (30, 15, 10), (8 * H, 4 * H, 2 * H)),
    ("electrical", "repair", "电气照明", "Electrical", True, (30, 15, 10), (8 * H, 4 * H, 2 * H)),
    (
        "doors_locks",
        "repair",
        "门窗锁具",
        "Doors and locks",
        True,
        (30, 20, 10),
        (15 * H, 8 * H, 2 * H),
    ),
    ("lifts", "repair", "电梯", "Lifts", False, (30, 15, 5), (D, 8 * H, 2 * H)),
    ("common_areas", "repair", "公共设施", "Common areas", True, (60, 30, 15), (3 * D, D, 4 * H)),
    (
        "walls_ceilings",
        "repair",
        "墙面顶棚",
        "Walls and ceilings",
        True,
        (60, 30, 15),
        (5 * D, 2 * D, 8 * H),
    ),
    (
        "after_sales",
        "repair",
        "房产售后",
        "After-sales (developer warranty)",
        True,
        (120, 60, 30),
        (15 * D, 5 * D, D),
    ),
    ("noise", "complaint", "噪音扰民", "Noise", False, (30, 15, 10), (D, 8 * H, 2 * H)),
    ("sanitation", "complaint", "环境卫生", "Sanitation", True, (60, 30, 15), (D, 8 * H, 4 * H)),
    ("security", "complaint", "安全秩序", "Security", False, (15, 10, 5), (8 * H, 4 * H, 2 * H)),
    ("parking", "complaint", "停车管理", "Parking", True, (30, 15, 10), (D, 8 * H, 2 * H)),
    (
        "service_attitude",
        "complaint",
        "服务态度",
        "Service attitude",
        True,
        (60, 30, 15),
        (3 * D, D, 8 * H),
    ),
    (
        "renovation",
        "complaint",
        "装修扰民/违规装修",
        "Renovation nuisance or violation",
        False,
        (30, 15, 10),
        (D, 8 * H, 2 * H),
    ),
    ("neighbours", "complaint", "邻里纠纷", "Neighbours", True, (60, 30, 15), (3 * D, D, 8 * H)),
    ("inquiry", "suggestion", "咨询", "Inquiry", True, (60, 30, 15), (D, 8 * H, 4 * H)),
    ("suggestion", "suggestion", "建议", "Suggestion", True, (120, 60, 30), (5 * D, 2 * D, D)),
]

DEPARTMENTS = [
    ("engineering", "工程部"),
    ("cleaning", "环境部"),
    ("security", "秩序维护部"),
    ("greenery", "绿化部"),
    ("service", "客服部"),
]

# situation, title, text
REPLY_TEMPLATES = [
    ("greeting", "问候", "您好，这里是{estate}客服中心，很高兴为您服务。"),
    ("accept", "受理", "您反映的问题已受理，单号{number}，我们将在{resolve_due}前处理完毕。"),
    ("dispatch", "派工", "已安排维修人员尽快与您联系上门处理，请保持电话畅通。"),
    ("hold", "等待业主", "因暂时无法入户，工单已暂停计时，方便时请致电{phone}预约。"),
    ("resolve", "完成", "您报修的问题（单号{number}）已处理完毕，如有问题请随时联系我们。"),
    (
        "return_visit",
        "回访",
        "您好，这里是{estate}客服中心，想了解一下{number}的处理结果您是否满意？",
    ),
    ("apology", "致歉", "给您带来不便，我们深表歉意，我们会尽快处理。"),
]
