"""The Satu Data release state machine: the only place a release changes state.

    draft ──submit──► submitted ──approve──► published ──withdraw──► withdrawn
      ▲                  │  ▲ endorse (pembina, Data Prioritas)
      └──reopen── returned ◄──return──┘

A published release never changes again except to be withdrawn; corrections are new releases.
Who may take each action is the access policy's business (``catalog.permissions.require_transition``).
"""

import enum
from dataclasses import dataclass

from catalog.errors import Conflict, Invalid
from catalog.models import Release, ReleaseState, User, utcnow


class Action(enum.StrEnum):
    submit = "submit"
    approve = "approve"
    return_ = "return"
    reopen = "reopen"
    withdraw = "withdraw"
    endorse = "endorse"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[ReleaseState]
    target: ReleaseState


S = ReleaseState
TRANSITIONS: dict[Action, Transition] = {
    Action.submit: Transition(frozenset({S.draft}), S.submitted),
    Action.approve: Transition(frozenset({S.submitted}), S.published),
    Action.return_: Transition(frozenset({S.submitted}), S.returned),
    Action.reopen: Transition(frozenset({S.returned}), S.draft),
    Action.withdraw: Transition(frozenset({S.published}), S.withdrawn),
    Action.endorse: Transition(frozenset({S.submitted}), S.submitted),
}


def needs_endorsement(release: Release) -> bool:
    """Whether the release is Data Prioritas, as it was submitted (its snapshot), whatever the dataset says now."""
    return bool(release.metadata_snapshot.get("is_priority", release.dataset.is_priority))


def release_has_errors(release: Release) -> bool:
    return any(resource.validation_valid is False for resource in release.resources)


def apply(release: Release, action: Action, *, actor: User, note: str | None = None) -> ReleaseState:
    """Check and apply one transition the access policy allowed the actor; raise without touching the
    release when its state refuses it. Returns the state the release left.
    """
    rule = TRANSITIONS[action]
    priority = needs_endorsement(release)
    note = (note or "").strip() or None
    with_errors = release_has_errors(release)
    sources = set(rule.sources)
    if action is Action.approve and with_errors:
        # Known issues may be published only by the walidata's written decision, from draft too:
        # a release with errors can never be submitted, so this is its only road to publication.
        sources.add(S.draft)
    if release.state not in sources:
        raise Conflict(f"cannot {action.value} a release that is {release.state.value}", code="invalid_transition")
    _check_preconditions(release, action, note=note, with_errors=with_errors, priority=priority)

    now = utcnow()
    previous = release.state
    release.state = rule.target
    if action is Action.submit:
        release.submitted_by_id, release.submitted_at = actor.id, now
        release.review_note = None
    elif action is Action.approve:
        release.reviewed_by_id, release.reviewed_at, release.published_at = actor.id, now, now
        release.approval_justification = note if with_errors else None
    elif action is Action.return_:
        release.reviewed_by_id, release.reviewed_at, release.review_note = actor.id, now, note
    elif action is Action.withdraw:
        release.withdrawn_at, release.withdrawn_reason = now, note
    elif action is Action.endorse:
        release.endorsed_by_id = actor.id
    elif action is Action.reopen:
        release.endorsed_by_id = None
    return previous


def _check_preconditions(
    release: Release, action: Action, *, note: str | None, with_errors: bool, priority: bool
) -> None:
    if action is Action.submit:
        if not release.resources:
            raise Conflict("a release needs at least one resource before it is submitted", code="empty_release")
        if with_errors:
            raise Conflict(
                "the release has validation errors; correct the data or ask the walidata to publish it "
                "with a justification",
                code="validation_failed",
            )
    elif action is Action.approve:
        if with_errors and not note:
            raise Invalid(
                "this release has validation errors: approving it needs a written justification",
                code="justification_required",
            )
        if priority and release.endorsed_by_id is None:
            raise Conflict(
                "Data Prioritas must be reviewed by the pembina before it is published",
                code="pembina_review_required",
            )
    elif action in (Action.return_, Action.withdraw) and not note:
        raise Invalid(f"a note is required to {action.value} a release", code="note_required")
