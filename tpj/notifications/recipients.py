"""Who a workflow transition notifies, declared as data next to the transition.

    Transition("submit", …, notifies=(
        Recipients("les modérateurs du territoire", moderators_of, url=moderation_url, may_see="registry.moderate"),
    ))

`resolve(obj)` answers the users concerned; `url(obj)` the path of the page where they act
(never a raw id in an e-mail: the e-mail carries the absolute address of that page);
`may_see` the policy action a recipient must pass on `obj`, so that nobody is told of a
file they may not see. `emailed_elsewhere` marks recipients whom the transition's own
effect already writes a dedicated e-mail (a moderation decision, a decision letter): they
are told in the platform, and not e-mailed twice. `NOBODY` says, explicitly, that a
transition notifies no one (a test fails on a transition that says nothing).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Recipients:
    label: str  # French, for the documentation and the tests ("les membres de la fiche")
    resolve: Callable  # fn(obj) -> iterable of users
    url: Callable  # fn(obj) -> path of the page where the recipient acts
    may_see: str  # policy action each recipient must pass on obj
    emailed_elsewhere: bool = False


NOBODY: tuple[Recipients, ...] = ()
