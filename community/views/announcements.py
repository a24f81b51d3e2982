"""Staff pages of announcements: the list (current / scheduled / expired), the editor (one
estate or several at once), the A4 print for notice boards."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from community import pdf, selectors, services
from community.forms import AnnouncementForm, add_domain_error
from community.models import Announcement
from community.views.common import scoped
from estate import scoping
from estate.errors import DomainError
from estate.pages import estate_page, forbidden, page_of, pdf_response, query_without

ACTION = "community.announcement.manage"


@estate_page("community.view")
def announcements(request, estate):
    state = request.GET.get("state", "")
    if state not in selectors.ANNOUNCEMENT_STATES:
        state = ""
    now = timezone.now()
    qs = selectors.announcements_staff(estate=estate, state=state, now=now)
    page = page_of(qs, request, qs.count())
    for row in page.rows:
        row.state = selectors.announcement_state(row, now)
    return render(
        request,
        "community/announcements.html",
        {
            "estate": estate,
            "page": page,
            "state": state,
            "states": selectors.ANNOUNCEMENT_STATES,
            "query": query_without(request, "page"),
            "can_manage": scoping.can(request.user, estate, ACTION),
        },
    )


def _manageable(user):
    return [e for e in scoping.estates_for(user).order_by("code") if scoping.can(user, e, ACTION)]


@require_http_methods(["GET", "POST"])
@estate_page(ACTION)
def announcement_new(request, estate):
    choices = _manageable(request.user)
    with timezone.override(estate.tz):
        form = AnnouncementForm(
            request.POST or None,
            estates=choices,
            initial={"estates": [estate.code], "publish_at": timezone.now()},
        )
        if request.method == "POST" and form.is_valid():
            chosen = [e for e in choices if e.code in form.cleaned_data["estates"]]
            data = {k: v for k, v in form.cleaned_data.items() if k != "estates"}
            try:
                services.announcements_publish(estates=chosen, by=request.user, **data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect(f"{reverse('community:announcements')}?estate={estate.code}")
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "community/announcement_form.html",
            {"estate": estate, "form": form},
            status=status,
        )


@login_required
@require_http_methods(["GET", "POST"])
def announcement_edit(request, announcement_id: int):
    announcement, estate, allowed = scoped(request, Announcement, ACTION, pk=announcement_id)
    if not allowed:
        return forbidden(request)
    with timezone.override(estate.tz):
        initial = {
            f: getattr(announcement, f) for f in AnnouncementForm.base_fields if f != "estates"
        }
        form = AnnouncementForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.announcement_update(announcement=announcement, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect(f"{reverse('community:announcements')}?estate={estate.code}")
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "community/announcement_form.html",
            {"estate": estate, "form": form, "announcement": announcement},
            status=status,
        )


@login_required
def announcement_pdf(request, announcement_id: int):
    announcement, estate, allowed = scoped(
        request, Announcement.objects.select_related("estate"), "community.view", pk=announcement_id
    )
    if not allowed:
        return forbidden(request)
    return pdf_response(
        pdf.announcement_notice(announcement=announcement), f"notice-{announcement.pk}.pdf"
    )
