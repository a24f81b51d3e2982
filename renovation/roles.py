"""Who may do what with renovations (the role matrix's renovation rows).

| action                  | front desk | technician | manager | finance | admin |
|-------------------------|:----------:|:----------:|:-------:|:-------:|:-----:|
| renovation.view         |     ✓      |     ✓      |    ✓    |    ✓    |   ✓   |
| renovation.apply        |     ✓      |            |    ✓    |         |   ✓   |
| renovation.review       |            |            |    ✓    |         |   ✓   |
| renovation.inspect      |     ✓      |     ✓      |    ✓    |         |   ✓   |
| renovation.refund       |            |            |         |    ✓    |   ✓   |

The front desk takes applications, checks them and approves routine works; a manager reviews
non-routine works (审核) and decides what is withheld from a deposit; staff on patrol record
inspections and violations; finance refunds the deposit (through fees.deposit_refund).
"""

from estate.models import Role
from estate.scoping import define

VIEW = "renovation.view"
APPLY = "renovation.apply"
REVIEW = "renovation.review"
INSPECT = "renovation.inspect"
REFUND = "renovation.refund"

define(VIEW, {Role.FRONT_DESK, Role.TECHNICIAN, Role.MANAGER, Role.FINANCE, Role.ADMIN})
define(APPLY, {Role.FRONT_DESK, Role.MANAGER, Role.ADMIN})
define(REVIEW, {Role.MANAGER, Role.ADMIN})
define(INSPECT, {Role.FRONT_DESK, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN})
define(REFUND, {Role.FINANCE, Role.ADMIN})
