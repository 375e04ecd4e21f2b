from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.generic import ListView, View

from tpj.core.text import french_plural
from tpj.core.views_mixins import PolicyRequiredMixin

from . import services
from .forms import PreferencesForm
from .models import Notification

UNREAD_ONLY = "non-lues"


class NotificationListView(PolicyRequiredMixin, ListView):
    """« Mes notifications »: the newest first, the unread ones marked, optionally alone."""

    policy_action = "notifications.view_own"
    template_name = "notifications/list.html"
    context_object_name = "notifications"
    paginate_by = 20

    def unread_only(self) -> bool:
        return self.request.GET.get(UNREAD_ONLY) == "1"

    def get_queryset(self):
        rows = Notification.objects.for_user(self.request.user)
        return rows.unread() if self.unread_only() else rows

    def get_context_data(self, **kwargs):
        return super().get_context_data(unread_only=self.unread_only(), unread_only_param=UNREAD_ONLY, **kwargs)


class OpenView(PolicyRequiredMixin, View):
    """Follow a notification: it is read, and its page opens (only a page of this site)."""

    policy_action = "notifications.view_own"

    def get(self, request, pk):
        notification = services.open_notification(request.user, pk)
        if notification is None:
            raise Http404("Cette notification n'existe pas.")
        path = services.safe_path(notification.url)
        if path is None:
            messages.warning(request, "Cette notification ne mène à aucune page de la plateforme.")
            return redirect("notifications:list")
        return redirect(path)


class MarkAllReadView(PolicyRequiredMixin, View):
    policy_action = "notifications.view_own"

    def post(self, request):
        count = services.mark_all_read(request.user)
        if count:
            messages.success(
                request,
                f"{count} {french_plural(count, 'notification marquée comme lue', 'notifications marquées comme lues')}.",
            )
        else:
            messages.info(request, "Toutes vos notifications étaient déjà lues.")
        return redirect("notifications:list")


class PreferencesView(PolicyRequiredMixin, View):
    """« Mes préférences de notification »: for each kind, by e-mail at once, daily, or in the platform only."""

    policy_action = "notifications.view_own"

    def get(self, request, form=None, status=200):
        form = form or PreferencesForm(initial_deliveries=services.preferences(request.user))
        return render(request, "notifications/preferences.html", {"form": form}, status=status)

    def post(self, request):
        form = PreferencesForm(request.POST, initial_deliveries=services.preferences(request.user))
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        services.save_preferences(request.user, form.cleaned_data)
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("notifications:preferences")
