"""Staff pages of repairs: the work queue and "my tickets" (``queue``), the front desk
(``desk``), the ticket page (``ticket``) and the manager's settings (``config``).

Pages read through ``repairs.selectors`` and write through ``repairs.services``; which
transitions a page offers is the table's answer (``repairs.workflow``)."""
