"""A laureate's convention de subvention through the API: read, its schedule, its drawing asked of
a worker, the signed copy, payments against the schedule (tpj.calls.services.conventions, the
one place of their rules)."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core.api import IdField, PlausibleDateField, bounded_many
from tpj.core.openapi import document

from ..models import Application, InstalmentPayment
from ..services.conventions import (
    NOT_LAUREATE,
    ScheduleLine,
    convention_overdue,
    current_convention,
    draft_for,
    record_instalment_payment,
    request_convention,
    save_schedule,
    schedule_lines,
    shares,
    sign_convention,
)
from .common import require_auth

UNKNOWN = " Une candidature inconnue, ou qui n'est pas lauréate, répond 404 ; une candidature hors de votre périmètre, 403."
MANAGERS = "les gestionnaires de l'appel."
READERS = "la structure porteuse du projet lauréat et les gestionnaires de l'appel."
MAX_INSTALMENTS = 12  # as the web form (InstalmentFormSet)


class ShareSerializer(serializers.Serializer):
    agency = serializers.CharField(source="request.envelope.agency", help_text="Enveloppe : ARS ou DREETS.")
    due = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Montant dû sur cette enveloppe (€).")
    paid = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Déjà versé (€).")
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Reste dû (€).")


class InstalmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text="Numéro de l'échéance (nul tant que l'échéancier n'est pas enregistré)."
    )
    label = serializers.CharField()
    percent = serializers.IntegerField(help_text="Part de la subvention (%).")
    due_on = serializers.DateField(allow_null=True, help_text="Versement prévu le (facultatif).")
    shares = ShareSerializer(many=True, help_text="Ce que l'échéance doit sur chaque enveloppe, et ce qui en est versé.")


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="payment.pk")
    instalment = serializers.IntegerField(source="instalment_id")
    agency = serializers.CharField(source="payment.request.envelope.agency")
    amount = serializers.DecimalField(source="payment.amount", max_digits=12, decimal_places=2)
    paid_on = serializers.DateField(source="payment.paid_on")
    label = serializers.CharField(source="payment.label")


class ConventionSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    state = serializers.CharField(help_text="draft, requested, drawing, issued, signed, failed")
    state_label = serializers.CharField(source="get_state_display")
    signature_deadline = serializers.DateField(help_text="À retourner signée au plus tard le.")
    overdue = serializers.BooleanField(help_text="Émise, non signée, et sa date limite de signature est passée.")
    issued_at = serializers.DateTimeField(allow_null=True)
    file_url = serializers.CharField(allow_null=True, help_text="Adresse de la convention émise (PDF).")
    signed_on = serializers.DateField(allow_null=True)
    signed_file_url = serializers.CharField(allow_null=True, help_text="Adresse de la convention signée (PDF).")
    last_error = serializers.CharField(help_text="Pourquoi la rédaction a échoué, le cas échéant.")
    schedule = InstalmentSerializer(many=True)
    payments = PaymentSerializer(many=True)


class InstalmentWriteSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=200, help_text="Par exemple « À la signature de la convention ».")
    percent = serializers.IntegerField(min_value=1, max_value=100, help_text="Part de la subvention (%).")
    due_on = PlausibleDateField(required=False, allow_null=True, default=None)


class ScheduleWriteSerializer(serializers.Serializer):
    signature_deadline = PlausibleDateField(help_text="À retourner signée au plus tard le.")
    instalments = bounded_many(InstalmentWriteSerializer(), MAX_INSTALMENTS)


class SignedCopySerializer(serializers.Serializer):
    file = serializers.FileField(help_text="La convention signée : un PDF (vérifié par son contenu), 10 Mo au plus.")
    signed_on = PlausibleDateField(help_text="Date de signature.")


class PaymentWriteSerializer(serializers.Serializer):
    instalment = IdField(help_text="Numéro de l'échéance réglée (voir `schedule`).")
    agency = serializers.CharField(max_length=10, help_text="Enveloppe qui verse : ARS ou DREETS.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Montant versé (€).")
    paid_on = PlausibleDateField(help_text="Versé le.")
    label = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


def _absolute(request, name: str, app: Application, which: str, stored) -> str | None:
    return request.build_absolute_uri(reverse(name, kwargs={"pk": app.pk, "which": which})) if stored else None


def convention_data(request, app: Application) -> dict:
    """The laureate's convention as the API shows it (the default schedule while none is saved)."""
    convention = draft_for(app)
    if convention.pk:
        by_instalment = {}
        for share in shares(convention):
            by_instalment.setdefault(share.instalment, []).append(share)
        schedule = [
            {"id": i.pk, "label": i.label, "percent": i.percent, "due_on": i.due_on, "shares": rows}
            for i, rows in by_instalment.items()
        ]
        if not schedule:  # a convention without an envelope paid: its instalments alone
            schedule = [
                {"id": i.pk, "label": i.label, "percent": i.percent, "due_on": i.due_on, "shares": []}
                for i in convention.instalments.all()
            ]
        payments = (
            InstalmentPayment.objects.filter(instalment__convention=convention)
            .select_related("payment__request__envelope")
            .order_by("payment__paid_on", "payment__pk")
        )
    else:
        schedule = [
            {"id": None, "label": line.label, "percent": line.percent, "due_on": line.due_on, "shares": []}
            for line in schedule_lines(convention)
        ]
        payments = []
    return ConventionSerializer(
        {
            "application_id": app.pk,
            "state": convention.state,
            "get_state_display": convention.get_state_display(),
            "signature_deadline": convention.signature_deadline,
            "overdue": convention_overdue(app),
            "issued_at": convention.issued_at,
            "file_url": _absolute(request, "calls:convention-file", app, "emise", convention.file),
            "signed_on": convention.signed_on,
            "signed_file_url": _absolute(request, "calls:convention-file", app, "signee", convention.signed_file),
            "last_error": convention.last_error,
            "schedule": schedule,
            "payments": payments,
        }
    ).data


class ConventionActions:
    """ApplicationViewSet's convention endpoints."""

    def _laureate(self, request) -> Application:
        require_auth(request)
        app = self.get_object()  # the policy of the action (see policy_actions)
        if app.state != Application.State.LAUREATE:
            raise exceptions.NotFound(NOT_LAUREATE)
        return app

    @document(
        "Lire la convention d'un lauréat",
        "La convention de subvention du projet lauréat : son état, sa date limite de signature, son échéancier "
        "(par défaut 70 % à la signature et 30 % sur le rapport final, tant qu'il n'est pas enregistré) avec ce "
        "que chaque échéance doit et a reçu par enveloppe, les adresses de la convention émise et signée, et les "
        "versements." + UNKNOWN,
        access=READERS,
        responses=ConventionSerializer,
    )
    @action(detail=True, methods=["get"])
    def convention(self, request, pk=None):
        app = self._laureate(request)
        return Response(convention_data(request, app))

    @document(
        "Enregistrer l'échéancier d'une convention",
        "Enregistre les échéances de versement (leurs parts totalisent 100 %) et la date limite de signature, "
        "tant que la convention n'est pas rédigée ; au journal d'audit." + UNKNOWN,
        access=MANAGERS,
        request=ScheduleWriteSerializer,
        responses=ConventionSerializer,
    )
    @action(detail=True, methods=["put"], url_path="convention/schedule")
    def convention_schedule(self, request, pk=None):
        app = self._laureate(request)
        payload = ScheduleWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lines = [ScheduleLine(**row) for row in payload.validated_data["instalments"]]
        save_schedule(app, request.user, lines, payload.validated_data["signature_deadline"])
        return Response(convention_data(request, app))

    @document(
        "Faire rédiger une convention",
        "Demande la rédaction de la convention (PDF) selon l'échéancier enregistré : un travailleur la rédige, "
        "l'archive telle qu'émise et l'envoie au porteur. La réponse (202) rend la convention « Rédaction "
        "demandée » ; lisez-la ensuite pour suivre son état." + UNKNOWN,
        access=MANAGERS,
        request=None,
        responses={202: ConventionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="convention/issue")
    def convention_issue(self, request, pk=None):
        app = self._laureate(request)
        serializers.Serializer(data=request.data).is_valid(raise_exception=True)  # no field: a body, if any, is read
        convention = current_convention(app)
        if convention is None:
            raise ValidationError("Enregistrez d'abord l'échéancier des versements.")
        request_convention(convention, request.user)
        return Response(convention_data(request, app), status=status.HTTP_202_ACCEPTED)

    @document(
        "Déposer la convention signée",
        "Dépose (en multipart/form-data) la convention signée, un PDF vérifié par son contenu, avec sa date de "
        "signature (entre l'émission et aujourd'hui) ; les versements peuvent alors commencer." + UNKNOWN,
        access=READERS,
        request={"multipart/form-data": SignedCopySerializer},
        responses=ConventionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="convention/signed")
    def convention_signed(self, request, pk=None):
        app = self._laureate(request)
        payload = SignedCopySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        convention = current_convention(app)
        if convention is None:
            raise ValidationError("La convention n'est pas encore rédigée : attendez son émission avant de la signer.")
        sign_convention(convention, request.user, payload.validated_data["file"], payload.validated_data["signed_on"])
        return Response(convention_data(request, app))

    @document(
        "Enregistrer un versement",
        "Enregistre un versement sur une enveloppe (`agency`) qui règle une échéance de la convention signée, "
        "jamais au-delà de ce que l'échéance doit encore sur cette enveloppe ni avant la signature." + UNKNOWN,
        access=MANAGERS,
        request=PaymentWriteSerializer,
        responses={201: ConventionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="convention/payments")
    def convention_payments(self, request, pk=None):
        app = self._laureate(request)
        payload = PaymentWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        convention = current_convention(app)
        if convention is None:
            raise ValidationError("La convention n'est pas signée : aucun versement avant sa signature.")
        instalment = convention.instalments.filter(pk=data["instalment"]).first()
        if instalment is None:
            raise serializers.ValidationError({"instalment": ["Choisissez une échéance de cette convention."]})
        envelope = app.requests.filter(envelope__agency=data["agency"].upper()).select_related("envelope").first()
        if envelope is None:
            raise serializers.ValidationError({"agency": ["Cette enveloppe ne finance pas ce projet."]})
        record_instalment_payment(instalment, envelope, request.user, data["amount"], data["paid_on"], data["label"])
        return Response(convention_data(request, app), status=status.HTTP_201_CREATED)
