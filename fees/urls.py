"""Staff pages of fees."""

from django.urls import path

from fees.views import account, arrears, bills, cashier, dayend, meters, overview

app_name = "fees"
urlpatterns = [
    path("bills/", bills.bills, name="bills"),
    path("bills.csv", bills.bills_csv, name="bills_csv"),
    path("bills.xlsx", bills.bills_xlsx, name="bills_xlsx"),
    path("bills/<int:bill_id>/void/", account.bill_void, name="bill_void"),
    path("overview/", overview.overview, name="overview"),
    path("statement.pdf", overview.statement_pdf, name="statement_pdf"),
    path("cashier/", cashier.cashier, name="cashier"),
    path("cashier/<int:unit_id>/", cashier.cashier_unit, name="cashier_unit"),
    path("cashier/<int:unit_id>/credit/", cashier.credit_use, name="credit_use"),
    path("day-end/", dayend.day_end, name="day_end"),
    path("day-end.pdf", dayend.day_end_pdf, name="day_end_pdf"),
    path("day-end.csv", dayend.day_end_csv, name="day_end_csv"),
    path("day-end.xlsx", dayend.day_end_xlsx, name="day_end_xlsx"),
    path("payments/<int:payment_id>/", cashier.payment_detail, name="payment"),
    path("payments/<int:payment_id>/receipt.pdf", cashier.receipt_pdf, name="receipt_pdf"),
    path(
        "payments/<int:payment_id>/reverse/",
        account.payment_reverse,
        name="payment_reverse",
    ),
    path("units/<int:unit_id>/", account.account, name="account"),
    path("units/<int:unit_id>/statement/", account.statement, name="unit_statement"),
    path(
        "units/<int:unit_id>/arrears-notice.pdf",
        arrears.unit_notice_pdf,
        name="unit_notice_pdf",
    ),
    path("units/<int:unit_id>/reminders/", arrears.reminders, name="reminders"),
    path("arrears/", arrears.arrears, name="arrears"),
    path("arrears.csv", arrears.arrears_csv, name="arrears_csv"),
    path("arrears.xlsx", arrears.arrears_xlsx, name="arrears_xlsx"),
    path("arrears/notices.pdf", arrears.notices_pdf, name="notices_pdf"),
    path("meters/", meters.meters, name="meters"),
    path("meters/import/", meters.meter_import, name="meter_import"),
    path("meters/template.xlsx", meters.meter_template, name="meter_template"),
]
