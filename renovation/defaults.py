"""The work types and violation types an estate starts with (editable in the admin)."""

# (code, name, routine)
WORK_TYPES = [
    ("painting", "墙面粉刷", True),
    ("flooring", "地面铺装", True),
    ("tiling", "墙地砖铺贴", True),
    ("electrical", "电气线路改造", True),
    ("carpentry", "木作与吊顶", True),
    ("plumbing_move", "上下水管道移位", False),
    ("wall_change", "墙体拆改", False),
    ("facade_windows", "外立面与门窗改动", False),
    ("ac_holes", "空调孔开凿", False),
    ("balcony", "阳台封闭或改造", False),
]

# (code, name, days to rectify)
VIOLATION_TYPES = [
    ("structural", "擅自拆改结构", 7),
    ("noise", "违时噪音施工", 1),
    ("rubbish", "楼道堆放垃圾", 1),
    ("facade", "擅自改变外立面", 7),
    ("fire_safety", "消防安全隐患", 2),
    ("other", "其他违规", 3),
]
