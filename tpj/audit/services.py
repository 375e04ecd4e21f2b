from django.contrib.contenttypes.models import ContentType

from .models import AuditEvent


def record(*, actor, obj=None, action: str, from_state="", to_state="", reason="", before=None, after=None) -> AuditEvent:
    """Append one event to the audit log. Every module writes through this function."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=(actor.email if authenticated else "système"),
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        before=before,
        after=after,
    )
