from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from tpj.core.errors import Conflict
from tpj.core.views_mixins import PolicyRequiredMixin

from . import services
from .forms import DeleteAccountForm
from .register import register_rows


class MyDataView(PolicyRequiredMixin, View):
    """ "Mes données personnelles": what is held, download it, delete the account."""

    policy_action = "privacy.manage_own_data"

    def get(self, request, form=None, status=200):
        context = {"register": register_rows(), "form": form or DeleteAccountForm(request.user)}
        return render(request, "privacy/my_data.html", context, status=status)


class ExportView(PolicyRequiredMixin, View):
    policy_action = "privacy.manage_own_data"

    def get(self, request):
        response = HttpResponse(services.export_json(request.user), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="mes-donnees-{timezone.localdate():%Y-%m-%d}.json"'
        return response


class DeleteAccountView(MyDataView):
    def post(self, request):
        form = DeleteAccountForm(request.user, request.POST)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        try:
            summary = services.delete_account(request.user, transfer_to=form.cleaned_data["transfer_to"])
        except services.DeletionError as error:
            form.add_error("transfer_to", str(error))
            return self.get(request, form=form, status=400)
        except Conflict as error:
            form.add_error(None, error.messages[0])
            return self.get(request, form=form, status=409)
        logout(request)
        return render(request, "privacy/deleted.html", {"summary": summary})
