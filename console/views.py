"""The staff console: server-rendered pages over the same domain functions as
the staff API. A view reads its form, calls one function of the app that owns
the data (`reports.queue`, `reports.access`, `reports.workflow`), and renders;
no rule is written here a second time. Another scope's ticket is a 404 here
too, because `ticket_for` says so."""

import uuid

import shapely
import shapely.geometry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import ValidationError

from backend.accounts.models import STAFF_ROLES, User
from backend.accounts.tokens import check_staff_password
from backend.areas.hierarchy import area_tree
from backend.areas.models import Area, Unit
from backend.catalogue.active import active_categories
from backend.errors import NotFound, ServiceError
from backend.i18n import current_language, localized
from backend.photos.models import Photo, PhotoKind
from backend.reports import workflow
from backend.reports.access import ticket_for
from backend.reports.models import OPEN_STATUSES, ReportEvent, Status, is_overdue
from backend.reports.photos import add_report_photo
from backend.reports.queue import QueueQuery, queue_counts, queue_page, queue_tickets
from backend.reports.services import duplicate_candidates
from console.forms import ActionForm, ModerationForm, SignInForm
from console.security import with_csp
from moderation import services as moderation
from moderation.reasons import describe as describe_reason

LIST_FILTERS = ("status", "category", "priority")


def staff_required(view):
    """Signed in with a staff account; anyone else goes to the sign-in page."""

    @login_required(login_url=reverse_lazy("console:login"))
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not isinstance(request.user, User) or request.user.role not in STAFF_ROLES:
            logout(request)
            return redirect("console:login")
        return view(request, *args, **kwargs)

    return wrapper


@with_csp
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = check_staff_password(
                request, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except ServiceError as error:  # wrong password, or the same limits as the API's
            form.add_error(None, error.message)
            status = error.status
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            wanted = request.GET.get("next", "")
            safe = url_has_allowed_host_and_scheme(
                wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(wanted if safe and wanted else "console:queue")
    return render(request, "console/sign_in.html", {"form": form}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("console:login")


@method_decorator(with_csp, name="dispatch")
class ChangePassword(PasswordChangeView):
    template_name = "console/password.html"
    success_url = reverse_lazy("console:queue")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


def _queue_query(request: HttpRequest) -> QueueQuery:
    values: dict = {k: v for k, v in request.GET.items() if k not in LIST_FILTERS and v}
    for name in LIST_FILTERS:
        chosen = [v for v in request.GET.getlist(name) if v]
        if chosen:
            values[name] = chosen
    return QueueQuery.model_validate(values)


@with_csp
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """Tabs by status with their counts, filters, due first or newest, pages
    that hold their place (keyset cursors)."""
    try:
        query = _queue_query(request)
    except ValidationError:
        messages.error(request, _("Some filters were not understood; they are cleared."))
        return redirect("console:queue")
    user = request.user
    assert isinstance(user, User)
    language = current_language()
    name, fallback = f"category__name_{language}", f"category__name_{settings.LANGUAGE_CODE}"
    # Plain rows, not model instances: a page of twenty is built in a tenth
    # of the time, and the template only reads strings.
    tickets = queue_tickets(user, query).values(
        "id", "reference", "description", "status", "due_at", "created_at", "reopened_count",
        "area_id", "assignee__username", name, fallback,
    )  # fmt: skip
    rows, cursor = queue_page(tickets, query)
    # The tabs count the open tickets: closed ones pile up for years, and
    # nobody works from their count.
    by_status, late = queue_counts(user, query, statuses=list(OPEN_STATUSES))
    now = timezone.now()
    tree = area_tree()
    labels = dict(Status.choices)
    items = [
        {
            "url": reverse("console:ticket", args=[row["id"]]),
            "reference": row["reference"],
            "description": Truncator(row["description"]).chars(80),
            "category": row[name] or row[fallback],
            "area": " · ".join(a.name for a in tree.chain(row["area_id"])[1:]),
            "status": labels[row["status"]],
            "due": timezone.localtime(row["due_at"]).strftime("%H:%M %d/%m/%Y"),
            "overdue": is_overdue(row["status"], row["due_at"], now),
            "reopened": row["reopened_count"] > 0,
            "assignee": row["assignee__username"] or "–",
        }
        for row in rows
    ]
    params = request.GET.copy()
    params.pop("cursor", None)
    tabs = [
        {
            "status": status.value,
            "label": status.label,
            "count": by_status.get(status.value),
            "active": query.status == [status.value],
        }
        for status in Status
    ]
    next_params = params.copy()
    if cursor:
        next_params["cursor"] = cursor
    return render(
        request,
        "console/queue.html",
        {
            "items": items,
            "tabs": tabs,
            "overdue_count": late,
            "query": query,
            "categories": [
                (c.code, localized(c, "name"), c.code in query.category)
                for c in active_categories()
            ],
            "next_url": f"?{next_params.urlencode()}" if cursor else "",
            "filters": params.urlencode(),
        },
    )


def _ticket_or_404(user: User, report_id: uuid.UUID):
    try:
        return ticket_for(user, report_id)
    except NotFound:
        raise Http404 from None


@with_csp
@staff_required
def ticket(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    report = _ticket_or_404(user, report_id)
    events = ReportEvent.objects.filter(report=report).select_related("actor").order_by("id")
    photos = Photo.objects.filter(report=report).order_by("created_at")
    members = User.objects.filter(unit_id=report.unit_id, is_active=True).order_by("username")
    # The area's outline, simplified to about 20 m: a few kilobytes in the page.
    area = Area.objects.get(id=report.area_id)
    outline = shapely.geometry.mapping(area.geometry.simplify(0.0002, preserve_topology=True))
    return render(
        request,
        "console/ticket.html",
        {
            "report": report,
            "category": localized(report.category, "name"),
            "status": Status(report.status).label,
            "overdue": report.is_overdue(timezone.now()),
            "areas": area_tree().chain(report.area_id),
            "events": events,
            "photos": photos,
            "transitions": [(s, Status(s).label) for s in workflow.allowed_transitions(report)],
            "members": members,
            # Transfer targets by name: every other active unit.
            "units": Unit.objects.filter(active=True)
            .exclude(id=report.unit_id)
            .order_by("name")
            .values_list("code", "name"),
            # Open public reports of the same category close by: merge candidates.
            "nearby": duplicate_candidates(report),
            "form": ActionForm(),
            "outline": {"type": "Feature", "properties": {}, "geometry": outline},
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


@with_csp
@staff_required
@require_POST
def act(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    """One action on a ticket, through the workflow function the API uses; the
    page says what it did, or why not."""
    user = request.user
    assert isinstance(user, User)
    _ticket_or_404(user, report_id)  # another scope's ticket: 404 before anything
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("The action was not understood."))
        return redirect("console:ticket", report_id=report_id)
    data = form.cleaned_data
    try:
        said = _do(user, report_id, data)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, said)
        if data["action"] in ("transfer", "merge"):  # the ticket has left the queue
            return redirect("console:queue")
    return redirect(reverse("console:ticket", kwargs={"report_id": report_id}))


def _do(user: User, report_id: uuid.UUID, data: dict) -> str:
    action = data["action"]
    if action == "status":
        report = workflow.change_status(report_id, user, data["status"], data["message"])
        return _("The status is now “%(status)s”.") % {"status": Status(report.status).label}
    if action in ("reply", "note"):
        workflow.comment(report_id, user, data["message"], public=action == "reply")
        return _("Your reply was published.") if action == "reply" else _("The note was saved.")
    if action == "assign":
        workflow.assign(report_id, user, data["assignee"])
        return _("The ticket was assigned.") if data["assignee"] else _("Nobody is assigned.")
    if action == "merge":
        if data["into"] is None:
            return _("Choose the original report first.")
        original = workflow.merge(report_id, user, data["into"])
        return _("Merged into %(reference)s.") % {"reference": original.reference}
    if action == "photo":
        if data["photo"] is None:
            return _("Choose a photo first.")
        # The same checks and processing as the API's after photo.
        report = ticket_for(user, report_id, to_change=True)
        add_report_photo(report, user, data["photo"].read(), kind=PhotoKind.AFTER)
        return _("The photo was added; it is shown once processed.")
    workflow.transfer(report_id, user, data["unit"], data["message"])
    return _("The ticket was transferred.")


@with_csp
@staff_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """Reports held for review in the moderator's area, oldest first, each with
    its reasons and score, its text as written and as shown, its photos."""
    user = request.user
    assert isinstance(user, User)
    try:
        cases = list(moderation.review_queue(user)[:50])
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("console:queue")
    photos: dict = {}
    for photo in Photo.objects.filter(report_id__in=[c.report_id for c in cases]):
        photos.setdefault(photo.report_id, []).append(photo)
    return render(
        request,
        "console/moderation.html",
        {
            "cases": [
                {
                    "case": case,
                    "category": localized(case.report.category, "name"),
                    "reasons": [describe_reason(r) for r in case.reasons],
                    "photos": photos.get(case.report_id, []),
                }
                for case in cases
            ]
        },
    )


@with_csp
@staff_required
@require_POST
def moderate(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    """One decision, through moderation's own functions (scope checked there:
    another area's report is not found)."""
    user = request.user
    assert isinstance(user, User)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The action was not understood."))
        return redirect("console:moderation")
    data = form.cleaned_data
    try:
        said = _decide(user, report_id, data)
    except NotFound:
        raise Http404 from None
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, said)
    return redirect("console:moderation")


def _decide(user: User, report_id: uuid.UUID, data: dict) -> str:
    action, reason = data["action"], data["reason"]
    if action == "approve":
        moderation.approve(user, report_id)
        return _("The report is public.")
    if action == "reject":
        moderation.reject(user, report_id, reason)
        return _("The report was rejected; the resident is told why.")
    if action == "edit":
        moderation.edit_public_text(user, report_id, data["text"], reason, data["address"])
        return _("The public text was changed; the original is kept.")
    if action == "hide_photo":
        moderation.hide_photo(user, report_id, data["photo"], reason)
        return _("The photo is hidden.")
    moderation.ban_resident(user, report_id, data["days"] or 7, reason)
    return _("The resident may not send reports for now.")
