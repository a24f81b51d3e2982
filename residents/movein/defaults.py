"""What a new estate's handover calendar and checklist start from; each estate then edits its
own copy (admin, or the configuration page)."""

import datetime as dt

DAILY_CAPACITY = 20

# start, end, capacity
SLOTS = [
    (dt.time(9, 0), dt.time(10, 0), 4),
    (dt.time(10, 0), dt.time(11, 0), 4),
    (dt.time(11, 0), dt.time(12, 0), 4),
    (dt.time(14, 0), dt.time(15, 0), 4),
    (dt.time(15, 0), dt.time(16, 0), 4),
    (dt.time(16, 0), dt.time(17, 0), 4),
]

# code, label (Chinese: the checklist is printed on the acknowledgement), kind
CHECKLIST = [
    ("documents", "证件资料核验", "check"),
    ("fees", "费用结清", "fees"),
    ("keys", "钥匙移交", "keys"),
    ("meter_water", "水表读数", "meter"),
    ("meter_electricity", "电表读数", "meter"),
    ("meter_gas", "燃气表读数", "meter"),
    ("room_living", "客厅验收", "room"),
    ("room_bedroom", "卧室验收", "room"),
    ("room_kitchen", "厨房验收", "room"),
    ("room_bathroom", "卫生间验收", "room"),
    ("room_balcony", "阳台验收", "room"),
]

# The repairs category defects go to (repairs/defaults.py, 房产售后).
AFTER_SALES_CATEGORY = "after_sales"
