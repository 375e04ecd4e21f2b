"""The Django administration, opened by the policy ("core.administer") rather than is_staff."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse

from tpj.core import policy


class AdminSite(admin.AdminSite):
    site_header = "Administration — Territoires des 1000 premiers jours"
    site_title = "Administration"
    index_title = "Utilisateurs, périmètres et données de référence"

    def has_permission(self, request):
        return bool(policy.check(request.user, "core.administer"))

    def login(self, request, extra_context=None):
        """One login page for the whole platform; a signed-in non-administrator gets a 403 saying why."""
        next_url = request.GET.get("next") or reverse("admin:index")
        if request.user.is_authenticated:
            decision = policy.check(request.user, "core.administer")
            if decision:
                return redirect(next_url)
            return render(request, "403.html", {"reason": decision.reason}, status=403)
        return redirect_to_login(next_url, reverse("accounts:login"))
