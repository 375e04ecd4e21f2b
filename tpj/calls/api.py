"""REST API of the calls module (/api/v1/calls/, applications/, laureates/).

Every endpoint asks the policy (tpj/calls/permissions.py); lists are filtered by role and
territorial scope, so nothing outside the user's scope appears in them; an object outside
it answers 403. Changes go through services.py, as in the web pages.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from tpj.accounts.models import Organisation, Role
from tpj.core import policy
from tpj.core.api_permissions import PolicyPermission
from tpj.nomenclatures.models import FundingSource
from tpj.territories.models import Commune
from tpj.valorisation.projects import ProjectFilter

from . import services
from .models import Application, Call, CallAxis, Envelope, ScoreSheet
from .permissions import is_national, manages_call

# ---------------------------------------------------------------------------
# Serializers
# ---------------------------------------------------------------------------


class EnvelopeSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    funding_source = serializers.CharField(source="funding_source.label", read_only=True)

    class Meta:
        model = Envelope
        fields = ["agency", "funding_source", "national_dotation", "local_top_up", "total", "allocated", "remaining"]


class CallAxisSerializer(serializers.ModelSerializer):
    national_axes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")

    class Meta:
        model = CallAxis
        fields = ["id", "label", "national_axes"]


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    weight = serializers.IntegerField()
    max_score = serializers.IntegerField()


class CallSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    year = serializers.IntegerField(source="campaign.year", read_only=True)
    axes = CallAxisSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    envelopes = EnvelopeSerializer(many=True, read_only=True)
    required_axis = serializers.SlugRelatedField(slug_field="number", read_only=True)
    calendar_warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    state = serializers.CharField(read_only=True, help_text="draft, published, closed, laureates_decided, transmitted")
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "year",
            "region",
            "region_name",
            "strand",
            "state",
            "summary",
            "required_axis",
            "targeting_mode",
            "targeting_kinds",
            "publication_date",
            "applications_deadline",
            "jury_date",
            "laureates_date",
            "projects_start_date",
            "state_label",
            "axes",
            "criteria",
            "envelopes",
            "calendar_warnings",
            "published_at",
            "laureates_decided_at",
            "transmitted_at",
            "transmitted_late",
        ]
        read_only_fields = fields


class CallCreateSerializer(serializers.Serializer):
    strand = serializers.ChoiceField(choices=Call.Strand.choices, label="Volet")
    year = serializers.IntegerField(required=False, label="Campagne (année)")


class CallUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = [
            "summary",
            "applications_deadline",
            "publication_date",
            "jury_date",
            "laureates_date",
            "projects_start_date",
            "targeting_mode",
            "targeting_kinds",
        ]


class PartnerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, label="Partenaire")
    siret = serializers.CharField(max_length=20, required=False, allow_blank=True)
    role = serializers.CharField(max_length=255, label="Rôle")


class BudgetLineSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=255)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class CoFinancingSerializer(serializers.Serializer):
    source = serializers.SlugRelatedField(slug_field="slug", queryset=FundingSource.objects.all())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    secured = serializers.BooleanField(required=False, default=False)

    def to_representation(self, instance):
        return {"source": instance.source.slug, "amount": f"{instance.amount:.2f}", "secured": instance.secured}


class RequestSerializer(serializers.Serializer):
    agency = serializers.CharField(max_length=10, help_text="ARS ou DREETS")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class IndicatorSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    baseline = serializers.CharField(max_length=100)
    target = serializers.CharField(max_length=100)
    method = serializers.CharField()


class ApplicationWriteSerializer(serializers.Serializer):
    client_token = serializers.UUIDField(
        required=False, help_text="Jeton choisi par le client : un envoi rejoué ne crée pas de doublon."
    )
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    target_public = serializers.CharField(required=False, allow_blank=True, default="")
    carrier_siret = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    call_axes = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    places = serializers.ListField(
        child=serializers.CharField(max_length=5), required=False, default=list, help_text="codes INSEE"
    )
    targeting_kinds = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    partners = PartnerSerializer(many=True, required=False, default=list)
    budget_lines = BudgetLineSerializer(many=True, required=False, default=list)
    cofinancings = CoFinancingSerializer(many=True, required=False, default=list)
    requests = RequestSerializer(many=True, required=False, default=list)
    indicators = IndicatorSerializer(many=True, required=False, default=list)

    def to_content(self, call) -> services.ApplicationContent:
        data = self.validated_data
        places = list(Commune.objects.filter(insee_code__in=data["places"]))
        unknown = set(data["places"]) - {c.insee_code for c in places}
        if unknown:
            raise serializers.ValidationError(
                {"places": [f"Commune inconnue : {', '.join(sorted(unknown))} (code INSEE attendu)."]}
            )
        axes = list(CallAxis.objects.filter(pk__in=data["call_axes"], call=call))
        if len(axes) != len(set(data["call_axes"])):
            raise serializers.ValidationError({"call_axes": ["Choisissez les axes parmi ceux de cet appel."]})
        requests = {}
        for r in data["requests"]:
            requests[r["agency"].upper()] = requests.get(r["agency"].upper(), 0) + r["amount"]
        return services.ApplicationContent(
            title=data["title"],
            description=data["description"],
            target_public=data["target_public"],
            carrier_siret=data["carrier_siret"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            call_axes=axes,
            places=places,
            targeting_kinds=data["targeting_kinds"],
            partners=data["partners"],
            budget_lines=data["budget_lines"],
            cofinancings=data["cofinancings"],
            requests=requests,
            indicators=data["indicators"],
        )


class ApplicationSerializer(serializers.ModelSerializer):
    call_title = serializers.CharField(source="call.title", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    call_axes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    places = serializers.SerializerMethodField()
    partners = PartnerSerializer(many=True, read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    cofinancings = CoFinancingSerializer(many=True, read_only=True)
    requests = serializers.SerializerMethodField()
    indicators = IndicatorSerializer(many=True, read_only=True)
    state = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "call",
            "call_title",
            "state",
            "state_label",
            "title",
            "organisation",
            "carrier_siret",
            "description",
            "target_public",
            "call_axes",
            "places",
            "targeting_kinds",
            "partners",
            "budget_total",
            "budget_lines",
            "cofinancings",
            "requests",
            "indicators",
            "start_date",
            "end_date",
            "submitted_at",
            "decision_reason",
            "decided_at",
            "convention_signed_on",
            "project_started_on",
        ]
        read_only_fields = fields

    def get_places(self, app) -> list[str]:
        return [c.insee_code for c in app.places.all()]

    def get_requests(self, app) -> list[dict]:
        return [
            {
                "agency": r.envelope.agency,
                "amount_requested": f"{r.amount_requested:.2f}",
                "amount_allocated": f"{r.amount_allocated:.2f}",
            }
            for r in app.requests.select_related("envelope")
        ]


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Motif, question ou réponse selon l'action"
    )


class ScoreItemSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    value = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    not_applicable = serializers.BooleanField(required=False, default=False, help_text="« sans objet », distinct de 0")


class ScoreSheetSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="member.user.email", read_only=True)
    kind = serializers.CharField(source="member.kind", read_only=True)
    recused = serializers.BooleanField(source="is_recused", read_only=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = ScoreSheet
        fields = [
            "id",
            "member",
            "kind",
            "recused",
            "conflict_declared_at",
            "submitted_at",
            "weighted_score",
            "comment",
            "scores",
        ]
        read_only_fields = fields

    def get_scores(self, sheet) -> list[dict]:
        return [{"criterion": s.criterion_id, "value": s.value, "not_applicable": s.not_applicable} for s in sheet.scores.all()]


class ScoreWriteSerializer(serializers.Serializer):
    scores = ScoreItemSerializer(many=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(required=False, default=False, help_text="Valider : la notation est alors verrouillée")


class ConflictSerializer(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RankingSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    application = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    title = serializers.CharField()
    organisation = serializers.CharField(source="organisation.name")
    state = serializers.CharField()
    mean_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    spread = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    scores_count = serializers.IntegerField()
    missing_count = serializers.IntegerField()
    recused_count = serializers.IntegerField()


class DecisionWriteSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    outcome = serializers.ChoiceField(
        choices=[("laureate", "Lauréat"), ("waiting_list", "Liste d'attente"), ("rejected", "Non retenu")]
    )
    reason = serializers.CharField()
    allocations = RequestSerializer(many=True, required=False, default=list)


class DecisionSerializer(serializers.ModelSerializer):
    allocations = serializers.SerializerMethodField()
    state = serializers.CharField(read_only=True)

    class Meta:
        model = Application
        fields = ["id", "reference", "title", "state", "decision_reason", "decided_at", "allocations"]
        read_only_fields = fields

    def get_allocations(self, app) -> list[dict]:
        return [
            {"agency": r.envelope.agency, "amount": f"{r.amount_allocated:.2f}"} for r in app.requests.all() if r.amount_allocated
        ]


class LaureateSerializer(serializers.ModelSerializer):
    """Public data of a laureate project (published once the list was transmitted)."""

    organisation = serializers.CharField(source="organisation.name")
    call_title = serializers.CharField(source="call.title")
    year = serializers.IntegerField(source="call.campaign.year")
    region = serializers.CharField(source="call.region_id")
    region_name = serializers.CharField(source="call.region.name")
    axes = serializers.SerializerMethodField()
    places = serializers.SerializerMethodField()
    allocated_total = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "target_public",
            "organisation",
            "call_title",
            "year",
            "region",
            "region_name",
            "axes",
            "places",
            "allocated_total",
            "start_date",
            "end_date",
        ]

    def get_axes(self, app) -> list[int]:
        return sorted({a.number for ca in app.call_axes.all() for a in ca.national_axes.all()})

    def get_places(self, app) -> list[dict]:
        return [
            {"insee_code": c.insee_code, "name": c.name, "latitude": c.latitude, "longitude": c.longitude}
            for c in app.places.all()
        ]

    def get_allocated_total(self, app) -> str:
        return f"{sum((r.amount_allocated for r in app.requests.all()), 0):.2f}"


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


def _require_auth(request):
    if not request.user.is_authenticated:
        raise NotAuthenticated()


def visible_calls(user):
    """Non-draft calls for everyone; drafts only within the manager's région (or nationally)."""
    calls = Call.objects.select_related("region", "campaign")
    if is_national(user):
        return calls
    regions = user.scope(Role.CALL_MANAGER).regions if user.is_authenticated else frozenset()
    return calls.filter(~Q(state=Call.State.DRAFT) | Q(region__in=regions))


def visible_applications(user, call=None):
    """Applications a user may list: its organisation's, those of calls it manages, those it may score."""
    apps = Application.objects.select_related("call__region", "organisation")
    if call is not None:
        apps = apps.filter(call=call)
    if is_national(user):
        return apps.exclude(state=Application.State.DRAFT) | apps.filter(organisation_id=user.organisation_id)
    condition = Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    managed = [c.pk for c in Call.objects.filter(region__in=user.scope(Role.CALL_MANAGER).regions) if manages_call(user, c)]
    condition |= Q(call__in=managed) & ~Q(state=Application.State.DRAFT)
    condition |= Q(
        sheets__member__user=user,
        sheets__auto_recused=False,
        sheets__has_conflict=False,
        sheets__conflict_declared_at__isnull=False,
    )
    return apps.filter(condition).distinct()


class CallViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Regional calls for projects. Published calls are public; drafts are seen by their managers."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a failed int() conversion
    serializer_class = CallSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {
        "list": "calls.view_call",
        "retrieve": "calls.view_call",
        "create": "calls.create_call",
        "update": "calls.manage_call",
        "partial_update": "calls.manage_call",
        # Detail actions below are decided per object inside the action (policy.require).
        "publish": "calls.manage_call",
        "close_applications": "calls.manage_call",
        "decide_laureates": "calls.manage_call",
        "transmit": "calls.manage_call",
        "applications": "calls.view_call",
        "ranking": "calls.view_ranking",
        "decisions": "calls.manage_call",
    }
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return visible_calls(self.request.user).prefetch_related("axes__national_axes", "criteria", "envelopes__funding_source")

    def get_object(self):
        call = get_object_or_404(Call.objects.select_related("region", "campaign"), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, call)
        return call

    @extend_schema(request=CallCreateSerializer, responses={201: CallSerializer})
    def create(self, request):
        payload = CallCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        year = payload.validated_data.get("year")
        campaign = services.Campaign.objects.filter(year=year).first() if year else services.current_campaign()
        if campaign is None:
            raise serializers.ValidationError({"year": ["Aucune campagne nationale pour cette année."]})
        call = services.create_call(request.user, campaign, payload.validated_data["strand"])
        return Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CallUpdateSerializer, responses=CallSerializer)
    def partial_update(self, request, pk=None):
        call = self.get_object()
        payload = CallUpdateSerializer(call, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.record_call_change(call, request.user, "defined", after={k: str(v) for k, v in payload.validated_data.items()})
        payload.save()
        return Response(CallSerializer(call).data)

    def _transition(self, request, name):
        call = self.get_object()
        reason = TransitionSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        call = services.fire_call(call, request.user, name, reason.validated_data["reason"])
        return Response(CallSerializer(call).data)

    @extend_schema(request=TransitionSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._transition(request, "publish")

    @extend_schema(request=TransitionSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"], url_path="close-applications")
    def close_applications(self, request, pk=None):
        return self._transition(request, "close_applications")

    @extend_schema(request=TransitionSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"], url_path="decide-laureates")
    def decide_laureates(self, request, pk=None):
        return self._transition(request, "decide_laureates")

    @extend_schema(
        request=TransitionSerializer, responses=CallSerializer, summary="Transmettre la liste des lauréats à l'équipe nationale"
    )
    @action(detail=True, methods=["post"])
    def transmit(self, request, pk=None):
        return self._transition(request, "transmit")

    @extend_schema(methods=["GET"], responses=ApplicationSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=ApplicationWriteSerializer, responses={201: ApplicationSerializer, 200: ApplicationSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def applications(self, request, pk=None):
        call = get_object_or_404(Call, pk=pk)
        _require_auth(request)
        if request.method == "POST":
            payload = ApplicationWriteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            app, created = services.create_application(
                request.user, call, payload.to_content(call), payload.validated_data.get("client_token")
            )
            return Response(ApplicationSerializer(app).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        policy.require(request.user, "calls.view_call", call)
        user = request.user
        if user.has_role(Role.CALL_MANAGER) and not manages_call(user, call) and not is_national(user):
            raise PermissionDenied("Cet appel à projets relève d'une autre région ou d'une autre agence que la vôtre.")
        page = self.paginate_queryset(visible_applications(user, call).order_by("reference", "pk"))
        return self.get_paginated_response(ApplicationSerializer(page, many=True).data)

    @extend_schema(responses=RankingSerializer(many=True))
    @action(detail=True, methods=["get"])
    def ranking(self, request, pk=None):
        call = get_object_or_404(Call, pk=pk)
        _require_auth(request)
        policy.require(request.user, "calls.view_ranking", call)
        rows = services.ranking(call)
        page = self.paginate_queryset(rows)
        offset = self.paginator.page.start_index() - 1 if getattr(self.paginator, "page", None) else 0
        for i, row in enumerate(page, start=offset + 1):
            row.rank = i
        return self.get_paginated_response(RankingSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses=DecisionSerializer(many=True))
    @extend_schema(methods=["POST"], request=DecisionWriteSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["get", "post"])
    def decisions(self, request, pk=None):
        call = get_object_or_404(Call, pk=pk)
        _require_auth(request)
        policy.require(request.user, "calls.manage_call", call)
        if request.method == "POST":
            payload = DecisionWriteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            app = get_object_or_404(Application, pk=data["application"], call=call)
            allocations = {}
            for a in data["allocations"]:
                allocations[a["agency"].upper()] = allocations.get(a["agency"].upper(), 0) + a["amount"]
            app = services.decide(app, request.user, data["outcome"], data["reason"], allocations)
            return Response(DecisionSerializer(app).data)
        decided = (
            call.applications.filter(state__in=Application.DECIDED_STATES)
            .prefetch_related("requests__envelope")
            .order_by("reference")
        )
        page = self.paginate_queryset(decided)
        return self.get_paginated_response(DecisionSerializer(page, many=True).data)


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Applications: the carrier's drafts and submissions, the managers' instruction, the jury's files."""

    lookup_value_regex = r"\d+"
    serializer_class = ApplicationSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {
        "list": "calls.view_application",
        "retrieve": "calls.view_application",
        "update": "calls.edit_application",
        "partial_update": "calls.edit_application",
        # Detail actions below go through services, which ask the policy for the object.
        **dict.fromkeys(
            [
                "submit",
                "withdraw",
                "request_info",
                "answer_info",
                "declare_eligible",
                "declare_ineligible",
                "conflict_declaration",
                "scores",
            ],
            "calls.view_application",
        ),
    }
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        _require_auth(self.request)
        return (
            visible_applications(self.request.user)
            .order_by("-created_at")
            .prefetch_related("call_axes", "places", "partners", "budget_lines", "cofinancings__source", "indicators")
        )

    def get_object(self):
        app = get_object_or_404(Application.objects.select_related("call__region", "organisation"), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, app)
        return app

    @extend_schema(request=ApplicationWriteSerializer, responses=ApplicationSerializer)
    def update(self, request, pk=None, partial=False):
        app = self.get_object()
        payload = ApplicationWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        app = services.update_application(app, request.user, payload.to_content(app.call))
        return Response(ApplicationSerializer(app).data)

    @extend_schema(request=ApplicationWriteSerializer, responses=ApplicationSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk)

    def _fire(self, request, pk, name):
        _require_auth(request)
        app = get_object_or_404(Application, pk=pk)
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        app = services.fire_application(app, request.user, name, payload.validated_data["reason"])
        return Response(ApplicationSerializer(app).data)

    @extend_schema(
        request=TransitionSerializer, responses=ApplicationSerializer, summary="Déposer (avant la date limite, heure de Paris)"
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._fire(request, pk, "submit")

    @extend_schema(
        request=TransitionSerializer, responses=ApplicationSerializer, summary="Retirer la candidature avant la décision"
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._fire(request, pk, "withdraw")

    @extend_schema(
        request=TransitionSerializer, responses=ApplicationSerializer, summary="Demander un complément (reason = question)"
    )
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        return self._fire(request, pk, "request_info")

    @extend_schema(
        request=TransitionSerializer,
        responses=ApplicationSerializer,
        summary="Répondre à la demande de complément (reason = réponse)",
    )
    @action(detail=True, methods=["post"], url_path="answer-info")
    def answer_info(self, request, pk=None):
        return self._fire(request, pk, "answer_info")

    @extend_schema(request=TransitionSerializer, responses=ApplicationSerializer, summary="Déclarer recevable")
    @action(detail=True, methods=["post"], url_path="declare-eligible")
    def declare_eligible(self, request, pk=None):
        return self._fire(request, pk, "declare_eligible")

    @extend_schema(
        request=TransitionSerializer, responses=ApplicationSerializer, summary="Déclarer irrecevable (motif obligatoire)"
    )
    @action(detail=True, methods=["post"], url_path="declare-ineligible")
    def declare_ineligible(self, request, pk=None):
        return self._fire(request, pk, "declare_ineligible")

    @extend_schema(
        request=ConflictSerializer,
        responses=ScoreSheetSerializer,
        summary="Déclarer l'absence ou l'existence d'un conflit d'intérêts",
    )
    @action(detail=True, methods=["post"], url_path="conflict-declaration")
    def conflict_declaration(self, request, pk=None):
        _require_auth(request)
        app = get_object_or_404(Application, pk=pk)
        sheet = self._own_sheet(request.user, app)
        payload = ConflictSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sheet = services.declare_conflict(sheet, request.user, **payload.validated_data)
        return Response(ScoreSheetSerializer(sheet).data)

    def _own_sheet(self, user, app):
        sheet = (
            ScoreSheet.objects.filter(application=app, member__user=user).select_related("member", "application__call").first()
        )
        if sheet is None:
            raise PermissionDenied("Ce dossier ne vous est pas attribué.")
        return sheet

    @extend_schema(methods=["GET"], responses=ScoreSheetSerializer(many=True))
    @extend_schema(methods=["POST"], request=ScoreWriteSerializer, responses=ScoreSheetSerializer)
    @action(detail=True, methods=["get", "post"])
    def scores(self, request, pk=None):
        """Managers see every sheet; a juror its own; a recused member nothing (403)."""
        _require_auth(request)
        app = get_object_or_404(Application.objects.select_related("call"), pk=pk)
        if request.method == "POST":
            sheet = self._own_sheet(request.user, app)
            payload = ScoreWriteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            values = {s["criterion"]: (s["value"], s["not_applicable"]) for s in payload.validated_data["scores"]}
            sheet = services.save_scores(
                sheet, request.user, values, payload.validated_data["comment"], payload.validated_data["submit"]
            )
            return Response(ScoreSheetSerializer(sheet).data)
        policy.require(request.user, "calls.view_scores", app)
        sheets = app.sheets.select_related("member__user").prefetch_related("scores").order_by("pk")
        if not manages_call(request.user, app.call):
            sheets = sheets.filter(member__user=request.user)
        page = self.paginate_queryset(sheets)
        return self.get_paginated_response(ScoreSheetSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="code INSEE de la région"),
            OpenApiParameter("departement", str, description="code INSEE d'un département où le projet agit"),
            OpenApiParameter("axis", int, description="numéro d'axe national (1 à 6)"),
            OpenApiParameter("year", int, description="année de la campagne"),
            OpenApiParameter("carrier_kind", str, enum=Organisation.Kind.values, description="type de structure porteuse"),
            OpenApiParameter(
                "q", str, description="texte libre, insensible aux accents et à la casse (titre, description, porteur, lieux…)"
            ),
        ]
    )
)
class LaureateViewSet(viewsets.ReadOnlyModelViewSet):
    """Laureate projects, public once their call's list was transmitted to the national team.

    The list takes the projetothèque's filters (tpj.valorisation.projects.ProjectFilter, same
    parameters as its pages and exports); a malformed value is a 400 in French.
    """

    serializer_class = LaureateSerializer
    permission_classes = [AllowAny]
    authentication_classes = []

    def get_queryset(self):
        return (
            Application.objects.public_laureates()
            .select_related("organisation", "call__region", "call__campaign")
            .prefetch_related("call_axes__national_axes", "places", "requests")
            .order_by("call__region__name", "reference")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filters = ProjectFilter.from_query(self.request.query_params)  # ValidationError -> 400 (tpj.core.api)
        if not filters.q:
            return filters.apply(queryset)
        return filters.select(queryset.prefetch_related("partners"))  # the text filter reads the partners too
