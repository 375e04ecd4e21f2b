"""Serializers of the calls API (French labels and help texts)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tpj.core.api import ChoiceField, IdField, PlausibleDateField, PlausibleDateTimeField, bounded_many
from tpj.core.validators import bounded_list, validate_siret
from tpj.nomenclatures.models import FundingSource
from tpj.territories.models import Commune

from ..limits import (
    APPLICATION_TARGETING_CHOICES,
    MAX_BUDGET_LINES,
    MAX_CALL_AXES,
    MAX_COFINANCINGS,
    MAX_CRITERIA,
    MAX_ENVELOPES,
    MAX_INDICATORS,
    MAX_PARTNERS,
    MAX_PLACES,
    MAX_TARGETING_KINDS,
)
from ..models import Application, Call, CallAxis, Envelope, QuestionKind, ScoreSheet, Targeting
from ..services.carrier import carrier_identity
from ..services.content import ApplicationContent
from ..workflows import OUTCOME_CHOICES


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
    strand = ChoiceField(choices=Call.Strand.choices, label="Volet")
    year = serializers.IntegerField(required=False, label="Campagne (année)")


class CallUpdateSerializer(serializers.ModelSerializer):
    serializer_choice_field = ChoiceField
    applications_deadline = PlausibleDateTimeField(required=False, allow_null=True, label="Date limite de dépôt")
    targeting_kinds = serializers.ListField(
        child=ChoiceField(choices=Targeting.choices), required=False, **bounded_list(MAX_TARGETING_KINDS)
    )

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
    siret = serializers.CharField(max_length=20, required=False, allow_blank=True, validators=[validate_siret])
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
    carrier_siret = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20, validators=[validate_siret]
    )
    start_date = PlausibleDateField(required=False, allow_null=True, default=None)
    end_date = PlausibleDateField(required=False, allow_null=True, default=None)
    call_axes = serializers.ListField(child=IdField(), required=False, default=list, **bounded_list(MAX_CALL_AXES))
    places = serializers.ListField(
        child=serializers.CharField(max_length=5),
        required=False,
        default=list,
        help_text="codes INSEE",
        **bounded_list(MAX_PLACES),
    )
    targeting_kinds = serializers.ListField(
        child=ChoiceField(choices=APPLICATION_TARGETING_CHOICES),
        required=False,
        default=list,
        **bounded_list(len(APPLICATION_TARGETING_CHOICES)),
    )
    partners = bounded_many(PartnerSerializer(), MAX_PARTNERS, required=False, default=list)
    budget_lines = bounded_many(BudgetLineSerializer(), MAX_BUDGET_LINES, required=False, default=list)
    cofinancings = bounded_many(CoFinancingSerializer(), MAX_COFINANCINGS, required=False, default=list)
    requests = bounded_many(RequestSerializer(), MAX_ENVELOPES, required=False, default=list)
    indicators = bounded_many(IndicatorSerializer(), MAX_INDICATORS, required=False, default=list)

    def to_content(self, call) -> ApplicationContent:
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
        return ApplicationContent.from_cleaned_data(
            data,
            call_axes=axes,
            places=places,
            targeting_kinds=data["targeting_kinds"],
            partners=data["partners"],
            budget_lines=data["budget_lines"],
            cofinancings=data["cofinancings"],
            requests=requests,
            indicators=data["indicators"],
        )


class AnswerSerializer(serializers.Serializer):
    """An answer to a question of the call, or the file given for a required document (read only)."""

    question = serializers.IntegerField(source="question_id", read_only=True, allow_null=True, help_text="Question de l'appel.")
    document = serializers.IntegerField(source="document_id", read_only=True, allow_null=True, help_text="Document demandé.")
    label = serializers.SerializerMethodField(help_text="Intitulé de la question ou du document.")
    kind = serializers.ChoiceField(choices=QuestionKind.choices, read_only=True, help_text="Type de réponse.")
    value = serializers.JSONField(
        read_only=True,
        help_text="Texte, nombre ou montant en euros (chaîne « 1234.50 »), date ISO, liste des choix retenus, "
        "booléen (oui/non) ou nom du fichier déposé.",
    )
    display = serializers.CharField(read_only=True, help_text="La réponse telle qu'elle s'affiche.")

    def get_label(self, answer) -> str:
        return answer.question.label if answer.question_id else answer.document.label


class CarrierIdentitySerializer(serializers.Serializer):
    legal_name = serializers.CharField(read_only=True, help_text="Raison sociale.")
    address = serializers.CharField(read_only=True, help_text="Adresse de l'établissement.")
    legal_form = serializers.CharField(read_only=True, help_text="Forme juridique (catégorie juridique de l'Insee).")
    activity = serializers.CharField(read_only=True, help_text="Activité principale (code NAF et libellé).")
    closed = serializers.BooleanField(read_only=True, help_text="Établissement fermé selon le répertoire.")
    checked_at = serializers.DateTimeField(read_only=True, help_text="Date à laquelle l'identité a été relevée.")


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
    answers = serializers.SerializerMethodField(help_text="Réponses aux questions de l'appel et documents demandés.")
    carrier_identity = serializers.SerializerMethodField(
        help_text="Identité du porteur relevée au répertoire Sirene à l'enregistrement de son SIRET ; vide (null) "
        "si le SIRET n'y a pas été trouvé."
    )

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
            "carrier_identity",
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
            "answers",
        ]
        read_only_fields = fields

    @extend_schema_field(CarrierIdentitySerializer(allow_null=True))
    def get_carrier_identity(self, app) -> dict | None:
        identity = carrier_identity(app)
        return CarrierIdentitySerializer(identity).data if identity else None

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, app) -> list[dict]:
        return AnswerSerializer(app.answers.select_related("question", "document"), many=True).data

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
    criterion = IdField()
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
    scores = bounded_many(ScoreItemSerializer(), MAX_CRITERIA)
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
    outcome = ChoiceField(choices=OUTCOME_CHOICES)
    reason = serializers.CharField()
    allocations = bounded_many(RequestSerializer(), MAX_ENVELOPES, required=False, default=list)


class PromotionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Motif de la promotion (obligatoire, refusé s'il manque)."
    )
    allocations = bounded_many(
        RequestSerializer(), MAX_ENVELOPES, required=False, default=list, help_text="Montant attribué par agence."
    )

    @staticmethod
    def amounts(allocations) -> dict:
        """{agency: amount} summed per agency, as the decisions' allocations."""
        result = {}
        for a in allocations:
            result[a["agency"].upper()] = result.get(a["agency"].upper(), 0) + a["amount"]
        return result


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
