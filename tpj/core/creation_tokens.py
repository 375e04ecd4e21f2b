"""Creation tokens: a create request sent twice (a double click, a retry after a timeout)
creates one object, and the replay gets the first one back.

The client sends a token of its choosing with the creation (`client_token`, a unique column
of the created model). Before creating, the token is looked up; when two requests with the
same token arrive at the same moment, the database's unique index lets one insert and the
other fail, and the loser returns the winner's object.
"""

from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

Created = TypeVar("Created")


class CreationToken(Generic[Created]):
    """One creation's token over `queryset` (whose model has `client_token`).

    `is_owner(obj)` says whether the object the token names was created by this requester: a
    token found on someone else's object is refused with `foreign_message` (never returned).
    """

    def __init__(self, queryset, client_token, is_owner: Callable[[Created], bool], foreign_message: str):
        self.queryset = queryset
        self.client_token = client_token or None
        self.is_owner = is_owner
        self.foreign_message = foreign_message

    def replayed(self) -> Created | None:
        """The object this token already created (None: no token, or not used yet)."""
        if not self.client_token:
            return None
        existing = self.queryset.filter(client_token=self.client_token).first()
        if existing is not None and not self.is_owner(existing):
            raise ValidationError(self.foreign_message)
        return existing

    def create(self, build: Callable[[], Created]) -> tuple[Created, bool]:
        """`build()` in a savepoint, which saves the object with the token; returns (object,
        created). Lost to a simultaneous request with the same token: (its object, False).

        The loser learns it either from the unique index (IntegrityError, its insert waited for
        the winner's commit) or, when the winner committed first, from the model's own check
        of that constraint (`full_clean`: a ValidationError naming it). Either way, once the
        token names this requester's object, the request is a replay, not an error."""
        try:
            with transaction.atomic():
                return build(), True
        except (IntegrityError, ValidationError):
            if (existing := self.replayed()) is not None:
                return existing, False
            raise
