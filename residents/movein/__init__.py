"""Move-in handover (业主入伙 / 收房): bookings on a calendar of slots, the checklist walked on
the day, defects sent to after-sales as repair tickets, the owner's rating, and the two rates
of KPI.md. It sits above fees/ and repairs/ (it reads balances and opens tickets); neither they
nor the resident files import it."""
