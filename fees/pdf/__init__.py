"""Fee documents (reportlab, drawn on a canvas so a thousand receipts take seconds): the
receipt of a payment (收据), the arrears notice of a unit (催缴通知单) alone or for a whole
estate, and an estate's period statement. A4, and 80 mm receipt-printer paper for receipts.

Labels are English msgids rendered in Chinese (the documents are Chinese business papers
whatever the UI language); the Chinese font is embedded as a subset (estate/pdf.py)."""

from fees.pdf.dayend import day_end_pdf
from fees.pdf.notices import NOTICE_DAYS, arrears_notice_pdf, arrears_notices_pdf
from fees.pdf.receipts import SIZES, receipt_pdf, receipt_pdfs
from fees.pdf.statements import period_statement_pdf
from fees.pdf.words import amount_in_words

__all__ = [
    "NOTICE_DAYS",
    "SIZES",
    "amount_in_words",
    "arrears_notice_pdf",
    "day_end_pdf",
    "arrears_notices_pdf",
    "period_statement_pdf",
    "receipt_pdf",
    "receipt_pdfs",
]
