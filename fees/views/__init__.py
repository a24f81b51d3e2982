"""Staff pages of fees, one module per desk: the bills list and its exports (bills), the
collection overview and statement (overview), the cashier desk and receipts (cashier), a unit's
account and its corrections (account), arrears and reminders (arrears), meter readings
(meters); what several of them share is in common."""
