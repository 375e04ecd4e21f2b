"""Parameter values for parameterised routes: one object inside the cast's scope, one outside.

Keys as in policy_table (URL name or API path template; glob patterns allowed). A value is
a function(world) -> {"inside": kwargs, "outside": kwargs} ("outside" may be absent when the
object has no territory).
"""


def _pk(inside, outside=None, name="pk"):
    def sample(world):
        result = {"inside": {name: world[inside].pk}}
        if outside:
            result["outside"] = {name: world[outside].pk}
        return result

    return sample


def _fixed(**kwargs):
    return lambda world: {"inside": kwargs}


WEB_SAMPLES = {
    "accounts:confirm-email": _fixed(token="faux-jeton"),
    "accounts:password-reset-confirm": _fixed(uidb64="MQ", token="faux-jeton"),
    # Registry
    "registry:entry": _pk("entry_in", "entry_out"),
    "registry:edit": _pk("entry_in", "entry_out"),
    "registry:submit": _pk("entry_in", "entry_out"),
    "registry:members": _pk("entry_in", "entry_out"),
    "conversations:thread": lambda w: {
        "inside": {"kind": "fiche", "pk": w["entry_in"].pk},
        "outside": {"kind": "fiche", "pk": w["entry_out"].pk},
    },
    "conversations:export": lambda w: {
        "inside": {"kind": "fiche", "pk": w["entry_in"].pk},
        "outside": {"kind": "fiche", "pk": w["entry_out"].pk},
    },
    "conversations:attachment": _pk("message_attachment_in", "message_attachment_out"),
    "registry:moderate": _pk("entry_in", "entry_out"),
    "registry:logo": lambda w: {
        "inside": {"pk": w["entry_verified_in"].pk, "fmt": "png"},
        "outside": {"pk": w["entry_out"].pk, "fmt": "png"},
    },
    "registry:evidence": _pk("evidence_in", "evidence_out"),
    "registry:verification*": lambda w: {
        "inside": {"public_id": w["entry_verified_in"].public_id},
        "outside": {"public_id": w["entry_out"].public_id},
    },
    "registry:export": _fixed(fmt="csv"),
    "registry:import-job": _pk("import_job", "import_job_out"),
    "registry:review-confirm-member": _pk("entry_in", "entry_out"),
    "registry:review-confirm": lambda w: {"inside": {"token": w["review_token_in"]}, "outside": {"token": "faux-jeton"}},
    "registry:claim-entry": _pk("claimable_in", "claimable_out"),
    "registry:claim": _pk("claim_in", "claim_out"),
    "registry:claim-withdraw": _pk("claim_in", "claim_out"),
    "registry:invitation": lambda w: {"inside": {"token": w["invitation_token_in"]}, "outside": {"token": "faux-jeton"}},
    "notifications:open": _pk("notification_in", "notification_out"),
    # Prepared downloads
    "downloads:job": _pk("export_job", "export_job_out"),
    "downloads:file": _pk("export_job", "export_job_out"),
    # Calls
    "calls:campaign-*": _pk("campaign"),
    "calls:campaign-export": lambda w: {"inside": {"pk": w["campaign"].pk, "fmt": "csv"}},
    "calls:call-*": _pk("call_in", "call_out_draft"),
    "calls:call-transition": lambda w: {
        "inside": {"pk": w["call_in"].pk, "name": "close_applications"},
        "outside": {"pk": w["call_out_draft"].pk, "name": "publish"},
    },
    "calls:call-export": lambda w: {
        "inside": {"pk": w["call_in"].pk, "fmt": "csv"},
        "outside": {"pk": w["call_out_draft"].pk, "fmt": "csv"},
    },
    "calls:jury": _pk("call_in", "call_out_draft"),
    "calls:ranking": _pk("call_in", "call_out_draft"),
    "calls:allocation": _pk("call_in", "call_out_draft"),
    "calls:notify": _pk("call_in", "call_out_draft"),
    "calls:application-create": _pk("call_in", "call_out"),
    "calls:application-*": _pk("application_in", "application_out"),
    "calls:application-action": lambda w: {
        "inside": {"pk": w["application_in"].pk, "name": "submit"},
        "outside": {"pk": w["application_out"].pk, "name": "withdraw"},
    },
    "calls:decision-letter": _pk("application_in", "application_out"),
    "calls:attachment": _pk("attachment_in", "attachment_out"),
    "calls:sheet": _pk("sheet_in"),
    "calls:derogation-*": _pk("call_in", "call_out_draft"),
    "calls:answer-upload": _pk("application_in", "application_out"),
    "calls:answer-file": _pk("answer_file_in", "answer_file_out"),
    "calls:instruction-team": _pk("call_in", "call_out_draft"),
    "calls:committee": _pk("call_in", "call_out"),
    "calls:instruction-team-action": lambda w: {
        "inside": {"pk": w["call_in"].pk, "name": "ajouter"},
        "outside": {"pk": w["call_out_draft"].pk, "name": "ajouter"},
    },
    # instruction: on a submitted application (a draft is the carrier's alone)
    "calls:application-instruction": lambda w: {
        "inside": {"pk": w["application_submitted_in"].pk, "name": "cocher"},
        "outside": {"pk": w["application_out"].pk, "name": "cocher"},
    },
    # the follow-up: a laureate's call, convention and reports
    "calls:call-reports": lambda w: {
        "inside": {"pk": w["laureate_follow_in"].call_id},
        "outside": {"pk": w["laureate_follow_out"].call_id},
    },
    "calls:call-conventions": lambda w: {
        "inside": {"pk": w["laureate_follow_in"].call_id},
        "outside": {"pk": w["laureate_follow_out"].call_id},
    },
    "calls:report-action": lambda w: {
        "inside": {"pk": w["laureate_follow_in"].pk, "kind": "final", "name": "envoyer"},
        "outside": {"pk": w["laureate_follow_out"].pk, "kind": "final", "name": "envoyer"},
    },
    "calls:report-file": _pk("report_in", "report_out"),
    "calls:convention": _pk("laureate_follow_in", "laureate_follow_out"),
    "calls:convention-action": lambda w: {
        "inside": {"pk": w["laureate_follow_in"].pk, "name": "echeancier"},
        "outside": {"pk": w["laureate_follow_out"].pk, "name": "echeancier"},
    },
    "calls:convention-file": lambda w: {
        "inside": {"pk": w["laureate_follow_in"].pk, "which": "emise"},
        "outside": {"pk": w["laureate_follow_out"].pk, "which": "emise"},
    },
    # Valorisation
    "valorisation:library-*": _pk("call_in", "call_out_draft"),
    "valorisation:priority": _fixed(number=1),
    "valorisation:project": _pk("laureate_in", "laureate_out_untransmitted"),
    "valorisation:highlight": _pk("laureate_in", "laureate_out_untransmitted"),
    "valorisation:births": _pk("births"),
    "valorisation:apportion": _pk("births"),
    "valorisation:apportionment*": _pk("apportionment"),
    "valorisation:measure": lambda w: {"inside": {"slug": w["measure"].slug}},
    "valorisation:deployment*": lambda w: {"inside": {"slug": w["measure"].slug}},
    # Training offers: unpublished offers (a published one is public to all)
    "training:offer": _pk("offer_submitted_in", "offer_submitted_out"),
    "training:edit": _pk("offer_submitted_in", "offer_submitted_out"),
    "training:move": _pk("offer_submitted_in", "offer_submitted_out"),
    "training:moderate": _pk("offer_submitted_in", "offer_submitted_out"),
    "training:create": _pk("training_organisation_in", "training_organisation_out"),
    "training:add-to-plan": _pk("offer_published_in"),
    "training:plan": _pk("plan_in", "plan_out"),
    "training:plan-rename": _pk("plan_in", "plan_out"),
    "training:plan-delete": _pk("plan_in", "plan_out"),
    "training:plan-export": lambda w: {
        "inside": {"pk": w["plan_in"].pk, "fmt": "csv"},
        "outside": {"pk": w["plan_out"].pk, "fmt": "csv"},
    },
    "training:plan-item*": lambda w: {
        "inside": {"pk": w["plan_in"].pk, "item": w["plan_item_in"].pk},
        "outside": {"pk": w["plan_out"].pk, "item": w["plan_item_out"].pk},
    },
    "training:session-report": _pk("session_ended_in", "session_ended_out"),
    "training:export": _fixed(fmt="csv"),
}

API_SAMPLES = {
    "/api/v1/regions/{code}/": _fixed(code="53"),
    "/api/v1/departements/{code}/": _fixed(code="35"),
    "/api/v1/communes/{insee_code}/": _fixed(insee_code="35238"),
    "/api/v1/priorities/{number}/": _fixed(number=1),
    "/api/v1/axes/{number}/": _fixed(number=1),
    "/api/v1/eligibility-situations/{number}/": _fixed(number=1),
    "/api/v1/training-themes/{number}/": _fixed(number=1),
    "/api/v1/categories/{slug}/": _fixed(slug="creche"),
    "/api/v1/entry-kinds/{slug}/": _fixed(slug="etablissement"),
    "/api/v1/funding-sources/{slug}/": _fixed(slug="caf-fnp"),
    "/api/v1/registry/entries/{id}/*": _pk("entry_in", "entry_out", name="id"),
    "/api/v1/entries/{id}/*": _pk("entry_in", "entry_out", name="id"),
    "/api/v1/calls/{id}/*": _pk("call_in", "call_out_draft", name="id"),
    "/api/v1/applications/{id}/*": _pk("application_in", "application_out", name="id"),
    # instruction: on a submitted application (a draft is the carrier's alone, hidden from the managers)
    "/api/v1/applications/{id}/request-info/": _pk("application_submitted_in", "application_out", name="id"),
    "/api/v1/applications/{id}/declare-eligible/": _pk("application_submitted_in", "application_out", name="id"),
    "/api/v1/applications/{id}/declare-ineligible/": _pk("application_submitted_in", "application_out", name="id"),
    # Issue 18: the instruction and the decisions on a submitted application; a laureate's convention
    "/api/v1/applications/{id}/checklist/": _pk("application_submitted_in", "application_out", name="id"),
    "/api/v1/applications/{id}/renounce/": _pk("application_submitted_in", "application_out", name="id"),
    "/api/v1/applications/{id}/promote/": _pk("application_submitted_in", "application_out", name="id"),
    "/api/v1/applications/{id}/convention/*": _pk("laureate_follow_in", "laureate_follow_out", name="id"),
    "/api/v1/applications/{id}/reports/": _pk("laureate_follow_in", "laureate_follow_out", name="id"),
    "/api/v1/calls/{id}/instructors/{instructor_id}/": lambda w: {
        "inside": {"id": w["call_in"].pk, "instructor_id": 999_999},
        "outside": {"id": w["call_out_draft"].pk, "instructor_id": 999_999},
    },
    "/api/v1/calls/{id}/committee-files/{job_id}/*": lambda w: {
        "inside": {"id": w["call_in"].pk, "job_id": 999_999},
        "outside": {"id": w["call_out_draft"].pk, "job_id": 999_999},
    },
    "/api/v1/measures/{id}/": lambda w: {"inside": {"id": w["measure"].pk}},
    "/api/v1/measures/{measure_pk}/deployments/": lambda w: {"inside": {"measure_pk": w["measure"].pk}},
    "/api/v1/apportionments/{id}/": lambda w: {"inside": {"id": w["apportionment"].pk}},
    "/api/v1/laureates/{id}/*": _pk("laureate_in", "laureate_out_untransmitted", name="id"),
    # the catalogue: a published offer (inside), an unpublished one (outside: 404)
    "/api/v1/training/offers/{id}/": _pk("offer_published_in", "offer_submitted_out", name="id"),
    # the journeys' writes: inside, the draft of the professional's organisation (its data is reached);
    # outside, an offer submitted in Occitanie; the plans; the ended sessions
    "/api/v1/training/my-offers/{id}/*": _pk("offer_draft_in", "offer_submitted_out", name="id"),
    "/api/v1/training/my-offers/{id}/sessions/{session_id}/": lambda w: {
        "inside": {"id": w["offer_draft_in"].pk, "session_id": w["session_draft_in"].pk},
        "outside": {"id": w["offer_submitted_out"].pk, "session_id": w["session_ended_out"].pk},
    },
    "/api/v1/training/moderation/{id}/*": _pk("offer_submitted_in", "offer_submitted_out", name="id"),
    "/api/v1/training/plans/{id}/*": _pk("plan_in", "plan_out", name="id"),
    "/api/v1/training/plans/{id}/items/{item_id}/": lambda w: {
        "inside": {"id": w["plan_in"].pk, "item_id": w["plan_item_in"].pk},
        "outside": {"id": w["plan_out"].pk, "item_id": w["plan_item_out"].pk},
    },
    "/api/v1/training/reports/{session_id}/": _pk("session_ended_in", "session_ended_out", name="session_id"),
}
