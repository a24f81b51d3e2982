"""The estate's public page for residents (no login): announcements, the service phone, links
to report and to follow a request; and the lobby poster with the QR code to the form."""

from django.shortcuts import render
from django.urls import reverse

from community import pdf
from community.selectors import announcements_current
from estate.pages import pdf_response
from estate.public import public_estate


def home(request, code: str):
    """The estate's page: current announcements, service phone, links to report and to follow."""
    estate = public_estate(code)
    return render(
        request,
        "community/public/home.html",
        {"estate": estate, "announcements": announcements_current(estate=estate)},
    )


def poster(request, code: str):
    estate = public_estate(code)
    url = request.build_absolute_uri(reverse("public:report", args=[estate.code]))
    return pdf_response(pdf.estate_poster(estate=estate, form_url=url), f"poster-{estate.code}.pdf")
