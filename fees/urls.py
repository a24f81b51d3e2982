"""Staff pages of fees."""

from django.urls import path

from fees import views, views_account, views_arrears, views_cashier, views_meters

app_name = "fees"
urlpatterns = [
    path("bills/", views.bills, name="bills"),
    path("bills.csv", views.bills_csv, name="bills_csv"),
    path("bills.xlsx", views.bills_xlsx, name="bills_xlsx"),
    path("bills/<int:bill_id>/void/", views_account.bill_void, name="bill_void"),
    path("overview/", views.overview, name="overview"),
    path("statement.pdf", views.statement_pdf, name="statement_pdf"),
    path("cashier/", views_cashier.cashier, name="cashier"),
    path("cashier/<int:unit_id>/", views_cashier.cashier_unit, name="cashier_unit"),
    path("cashier/<int:unit_id>/credit/", views_cashier.credit_use, name="credit_use"),
    path("payments/<int:payment_id>/", views_cashier.payment_detail, name="payment"),
    path("payments/<int:payment_id>/receipt.pdf", views_cashier.receipt_pdf, name="receipt_pdf"),
    path(
        "payments/<int:payment_id>/reverse/",
        views_account.payment_reverse,
        name="payment_reverse",
    ),
    path("units/<int:unit_id>/", views_account.account, name="account"),
    path("units/<int:unit_id>/statement/", views_account.statement, name="unit_statement"),
    path(
        "units/<int:unit_id>/arrears-notice.pdf",
        views_arrears.unit_notice_pdf,
        name="unit_notice_pdf",
    ),
    path("units/<int:unit_id>/reminders/", views_arrears.reminders, name="reminders"),
    path("arrears/", views_arrears.arrears, name="arrears"),
    path("arrears.csv", views_arrears.arrears_csv, name="arrears_csv"),
    path("arrears.xlsx", views_arrears.arrears_xlsx, name="arrears_xlsx"),
    path("arrears/notices.pdf", views_arrears.notices_pdf, name="notices_pdf"),
    path("meters/", views_meters.meters, name="meters"),
    path("meters/import/", views_meters.meter_import, name="meter_import"),
    path("meters/template.xlsx", views_meters.meter_template, name="meter_template"),
]
