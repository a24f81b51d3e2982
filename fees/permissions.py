"""Who may do what with fees (the role matrix's fees rows).

| action                    | front desk | technician | manager | finance | admin |
|---------------------------|:----------:|:----------:|:-------:|:-------:|:-----:|
| fees.view (bills, arrears)|     ✓      |            |    ✓    |    ✓    |   ✓   |
| fees.payment_record       |     ✓      |            |         |    ✓    |   ✓   |
| fees.payment_reverse      |            |            |         |    ✓    |   ✓   |
| fees.bill_void            |            |            |         |    ✓    |   ✓   |
| fees.bill_generate        |            |            |         |    ✓    |   ✓   |
| fees.fee_item_manage      |            |            |         |    ✓    |   ✓   |
| fees.meter_reading_record |     ✓      |     ✓      |         |    ✓    |   ✓   |
| fees.reminder_record      |     ✓      |            |    ✓    |    ✓    |   ✓   |
| fees.deposit_refund       |            |            |         |    ✓    |   ✓   |
| fees.export               |            |            |    ✓    |    ✓    |   ✓   |

The front desk is the cashier of most service centres (前台收费), so it records payments and
prints receipts; only finance and admins correct money (reversal, void) because a correction
changes what was already counted. Technicians read meters. Managers read and chase arrears.
"""

from estate.models import Role
from estate.scoping import define

VIEW = "fees.view"
PAYMENT_RECORD = "fees.payment_record"
PAYMENT_REVERSE = "fees.payment_reverse"
BILL_VOID = "fees.bill_void"
BILL_GENERATE = "fees.bill_generate"
FEE_ITEM_MANAGE = "fees.fee_item_manage"
METER_READING_RECORD = "fees.meter_reading_record"
REMINDER_RECORD = "fees.reminder_record"
DEPOSIT_REFUND = "fees.deposit_refund"
EXPORT = "fees.export"

_FINANCE = {Role.FINANCE, Role.ADMIN}

define(VIEW, {Role.FRONT_DESK, Role.MANAGER, *_FINANCE})
define(PAYMENT_RECORD, {Role.FRONT_DESK, *_FINANCE})
define(PAYMENT_REVERSE, _FINANCE)
define(BILL_VOID, _FINANCE)
define(BILL_GENERATE, _FINANCE)
define(FEE_ITEM_MANAGE, _FINANCE)
define(METER_READING_RECORD, {Role.FRONT_DESK, Role.TECHNICIAN, *_FINANCE})
define(REMINDER_RECORD, {Role.FRONT_DESK, Role.MANAGER, *_FINANCE})
define(DEPOSIT_REFUND, _FINANCE)
define(EXPORT, {Role.MANAGER, *_FINANCE})
