"""The one access policy: who may do what, for the API, the CLI, the worker, the portal and the CKAN API.

Two kinds of rule live here, and nowhere else:

* **Object rules** are plain functions of the actor and the thing acted on: ``may_edit_dataset(actor,
  dataset)``, ``may_see_release(actor, release)``… Each ``may_*`` answers a question; each ``require_*``
  raises ``Forbidden`` (or ``Unauthorized``) with a stable code. Services call them once they have loaded
  the object; a route, page, command or job never re-derives them inline.
* **Route rules** say who may call a route at all, before its object is loaded. Every route declares one
  in its decorator, and ``tests/test_routes.py`` fails on any route of ``create_app()`` without one::

      from catalog import permissions

      @router.get("/datasets", dependencies=[permissions.route_rule(permissions.PUBLIC)])
      @router.post("/datasets", dependencies=[permissions.route_rule(permissions.SIGNED_IN)])
      router = APIRouter(prefix="/harvest", dependencies=[permissions.route_rule(permissions.HARVEST_MANAGER)])

  ``PUBLIC`` lets anyone in (the service still hides what the caller may not see); ``SIGNED_IN`` needs a
  valid token (401 otherwise) and leaves the object rule to the service; the role rules (``ADMIN``,
  ``HARVEST_MANAGER``, ``REVIEWER``) also answer 403 to other roles. A route that is not an API route
  (a ``Mount`` of static files, a portal page served by Starlette) declares its rule with
  ``declare(route, rule)``.

Roles (Perpres 39/2019, Satu Data Indonesia): a *produsen* acts for its own OPD; the *walidata*
(Diskominfo) checks and publishes; the *pembina* (BPS) reviews Data Prioritas; the *admin* manages
accounts and OPDs and may act for all.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import Depends
from sqlalchemy import ColumnElement, false, true
from sqlmodel import col

from catalog.errors import Forbidden, Unauthorized
from catalog.models import Dataset, Organization, Release, ReleaseState, Role, User
from catalog.workflow import Action, needs_endorsement

# A release in these states is public: published, or withdrawn (still reachable by a direct link).
PUBLIC_STATES = frozenset({ReleaseState.published, ReleaseState.withdrawn})


def is_active(actor: User | None) -> bool:
    return actor is not None and actor.is_active


def has_role(actor: User | None, *roles: Role) -> bool:
    return is_active(actor) and actor is not None and actor.role in roles


# --- route rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRule:
    """Who may call a route: anyone, any signed-in user, or only some roles."""

    name: str
    signed_in: bool = False
    roles: frozenset[Role] | None = None
    refusal: str = ""

    def check(self, actor: User | None) -> None:
        if not self.signed_in:
            return
        if actor is None:
            raise Unauthorized("this needs an API token: 'Authorization: Bearer <token>'", code="token_required")
        if self.roles is not None and actor.role not in self.roles:
            raise Forbidden(self.refusal, code="role_not_allowed")


PUBLIC = RouteRule("public")
SIGNED_IN = RouteRule("signed_in", signed_in=True)
ADMIN = RouteRule("admin", signed_in=True, roles=frozenset({Role.admin}), refusal="only an admin may do this")
HARVEST_MANAGER = RouteRule(
    "harvest_manager",
    signed_in=True,
    roles=frozenset({Role.walidata, Role.admin}),
    refusal="harvest sources are managed by the walidata or an admin",
)
REVIEWER = RouteRule(
    "reviewer",
    signed_in=True,
    roles=frozenset({Role.walidata, Role.admin, Role.pembina}),
    refusal="only reviewers have a review queue",
)

# Declared with ``declare``, enforced by the route itself rather than by an API token dependency:
# the portal's staff pages check the signed-in session (catalog/web/auth.py), and the CKAN Action API
# reads CKAN's own token headers and asks each action's object rules.
PORTAL_SESSION = RouteRule("portal_session")
CKAN_ACTION = RouteRule("ckan_action")

ACCESS_RULE_ATTRIBUTE = "__access_rule__"


def route_rule(rule: RouteRule) -> Any:
    """The dependency that declares (and enforces) a route's rule: ``dependencies=[route_rule(PUBLIC)]``."""
    # Imported here: the API's dependencies import the services, which import this module.
    from catalog.api.deps import OptionalUser

    async def enforce(actor: OptionalUser) -> None:  # no thread: the rule only reads the actor
        rule.check(actor)

    setattr(enforce, ACCESS_RULE_ATTRIBUTE, rule)
    enforce.__name__ = f"access_{rule.name}"
    return Depends(enforce)


def declare(route: Any, rule: RouteRule) -> Any:
    """Declare the rule of a route that takes no dependencies (a Starlette ``Mount`` or ``Route``)."""
    setattr(route, ACCESS_RULE_ATTRIBUTE, rule)
    return route


def rules_of(route: Any) -> list[RouteRule]:
    """The rules a route (or a ``fastapi.routing.RouteContext`` of an included router) declares: by
    ``declare``, or as dependencies of its own or of its routers."""
    found = []
    for holder in (route, getattr(route, "original_route", None)):
        declared = getattr(holder, ACCESS_RULE_ATTRIBUTE, None)
        if isinstance(declared, RouteRule):
            found.append(declared)
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant is not None else []
    while stack:
        dependency = stack.pop()
        rule = getattr(dependency.call, ACCESS_RULE_ATTRIBUTE, None)
        if isinstance(rule, RouteRule):
            found.append(rule)
        stack.extend(dependency.dependencies)
    return found


def undeclared_routes(app: Any) -> list[str]:
    """The routes of an application, included routers and all, that declare no rule: "METHODS /path"."""
    from fastapi.routing import iter_route_contexts

    return [
        f"{','.join(sorted(route.methods or []))} {route.path}"
        for route in iter_route_contexts(app.routes)
        if not rules_of(route)
    ]


# --- organizations, accounts, harvesting --------------------------------------------------------------


def require_admin(actor: User | None, *, refusal: str) -> None:
    if not has_role(actor, Role.admin):
        raise Forbidden(refusal, code="role_not_allowed")


def may_manage_harvest(actor: User | None) -> bool:
    return has_role(actor, Role.walidata, Role.admin)


def require_harvest_into(actor: User | None, organization: Organization, *, whole_portal: bool, create: bool) -> None:
    """Who may have a source file datasets under an OPD: the walidata or an admin, for any OPD; a source that
    covers a whole portal (placing datasets under every OPD) too. One that also creates OPDs on first sight
    is an admin's, as creating an OPD is. ``None`` is the server's own console (`terbuka source …`)."""
    if actor is None:
        return
    if not may_manage_harvest(actor):
        what = "a whole portal" if whole_portal else f"{organization.slug}'s datasets"
        raise Forbidden(f"only the walidata or an admin may harvest {what}", code="role_not_allowed")
    if create and not has_role(actor, Role.admin):
        raise Forbidden("only an admin may let a harvest source create OPDs", code="role_not_allowed")


# --- datasets -----------------------------------------------------------------------------------------


def may_act_for(actor: User | None, organization_id: int) -> bool:
    """Producers act for their own OPD only; the admin acts for all."""
    if not is_active(actor) or actor is None:
        return False
    if actor.role == Role.admin:
        return True
    return actor.role == Role.produsen and actor.organization_id == organization_id


def may_create_dataset_in(actor: User | None, organization: Organization) -> bool:
    """An OPD's produsen, the walidata or an admin."""
    return may_act_for(actor, organization.id or 0) or has_role(actor, Role.walidata)


def require_create_dataset_in(actor: User | None, organization: Organization) -> None:
    if not may_create_dataset_in(actor, organization):
        raise Forbidden("you may not create datasets for this organization", code="wrong_organization")


def may_edit_dataset(actor: User | None, dataset: Dataset) -> bool:
    """The dataset's OPD's produsen, the walidata or an admin."""
    return may_act_for(actor, dataset.organization_id) or has_role(actor, Role.walidata)


def require_edit_dataset(actor: User | None, dataset: Dataset) -> None:
    if not may_edit_dataset(actor, dataset):
        raise Forbidden("you may not edit this dataset", code="wrong_organization")


def may_decide_priority(actor: User | None) -> bool:
    """Whether a dataset is Data Prioritas is the walidata's and the pembina's decision (and the admin's)."""
    return has_role(actor, Role.walidata, Role.pembina, Role.admin)


def require_decide_priority(actor: User | None) -> None:
    if not may_decide_priority(actor):
        raise Forbidden(
            "whether a dataset is Data Prioritas is decided by the walidata or the pembina", code="role_not_allowed"
        )


def may_see_unpublished(actor: User | None, dataset: Dataset) -> bool:
    """Who sees a dataset's drafts, unpublished releases, files, reports and its whole activity log: its OPD's
    produsen, the walidata and the admin; the pembina for Data Prioritas only (Perpres 39/2019 gives the
    pembina the checking of priority data, not the rest)."""
    if not is_active(actor) or actor is None:
        return False
    if actor.role == Role.produsen:
        return actor.organization_id == dataset.organization_id
    if actor.role == Role.pembina:
        return dataset.is_priority
    return True


def unpublished_datasets_visible_to(actor: User | None) -> ColumnElement[bool]:
    """``may_see_unpublished`` as a condition on the dataset table, for listings."""
    if not is_active(actor) or actor is None:
        return false()
    if actor.role == Role.produsen:
        return col(Dataset.organization_id) == actor.organization_id
    if actor.role == Role.pembina:
        return col(Dataset.is_priority).is_(True)
    return true()


def require_list_unpublished(actor: User | None) -> None:
    if actor is None:
        raise Unauthorized("unpublished datasets are listed for signed-in staff only", code="token_required")


# What anyone may read of a published dataset's activity log: its publications and public metadata.
PUBLIC_ACTIVITY = frozenset(
    {"dataset.update", "dataset.priority", "dataset.removed_at_source", "release.approve", "release.withdraw"}
)


def may_see_whole_activity(actor: User | None, dataset: Dataset) -> bool:
    """The unpublished workflow (drafts, notes, returns, endorsements) is for the dataset's staff and reviewers."""
    return may_see_unpublished(actor, dataset)


# --- releases -----------------------------------------------------------------------------------------


def may_see_release(actor: User | None, release: Release) -> bool:
    """Anyone sees a published or withdrawn release; the rest only those who see the dataset's drafts
    (to everyone else it answers 404, as an unknown id does)."""
    if release.state in PUBLIC_STATES or may_see_unpublished(actor, release.dataset):
        return True
    return has_role(actor, Role.pembina) and needs_endorsement(release)  # submitted as Data Prioritas


def may_cache_publicly(release: Release) -> bool:
    """Only a published release's files may be kept by shared caches; anything else is private, not stored."""
    return release.state == ReleaseState.published


def require_add_release(actor: User | None, dataset: Dataset) -> None:
    if not may_act_for(actor, dataset.organization_id):
        raise Forbidden("you may not add releases to this OPD's datasets", code="wrong_organization")


def require_edit_release(actor: User | None, release: Release) -> None:
    if not may_act_for(actor, release.dataset.organization_id):
        raise Forbidden("you may not edit this OPD's releases", code="wrong_organization")


# The account harvests run as. Its approvals are those of a source the walidata registered as trusted
# (publish=auto): the walidata's decision, taken once for the source, is the second pair of eyes.
AUTOMATIC_PUBLISHER = "harvester"

# Which roles may move a release, per workflow action.
TRANSITION_ROLES: dict[Action, frozenset[Role]] = {
    Action.submit: frozenset({Role.produsen, Role.admin}),
    Action.approve: frozenset({Role.walidata, Role.admin}),
    Action.return_: frozenset({Role.walidata, Role.admin, Role.pembina}),
    Action.reopen: frozenset({Role.produsen, Role.admin}),
    Action.withdraw: frozenset({Role.walidata, Role.admin}),
    Action.endorse: frozenset({Role.pembina}),
}


def require_transition(actor: User | None, release: Release, action: Action) -> None:
    """Whether the actor may take this workflow action on this release (its state is the workflow's business)."""
    if actor is None:
        raise Unauthorized("sign in with an API token to change a release")
    if actor.role not in TRANSITION_ROLES[action]:
        raise Forbidden(f"role {actor.role.value} may not {action.value} a release", code="role_not_allowed")
    if actor.role == Role.produsen and actor.organization_id != release.dataset.organization_id:
        raise Forbidden("producers may act only on their own OPD's releases", code="wrong_organization")
    if actor.role == Role.pembina and not needs_endorsement(release):
        raise Forbidden("the pembina reviews Data Prioritas only", code="not_priority_data")
    if action is Action.approve and is_own_release(actor, release):
        raise Forbidden(
            "four eyes: a release is approved by someone other than who created or submitted it", code="own_release"
        )


def is_own_release(actor: User, release: Release) -> bool:
    """Whether the actor created or submitted the release (the harvester's trusted-source releases aside)."""
    if actor.username == AUTOMATIC_PUBLISHER or actor.id is None:
        return False
    return actor.id in (release.created_by_id, release.submitted_by_id)


def may_review(actor: User | None) -> bool:
    return has_role(actor, *REVIEWER.roles or ())


def require_review_queue(actor: User | None) -> None:
    if not may_review(actor):
        raise Forbidden(REVIEWER.refusal, code="role_not_allowed")


def may_review_release(actor: User | None, release: Release) -> bool:
    """Whether a submitted release is in the actor's review queue (the pembina: Data Prioritas only)."""
    if not may_review(actor) or actor is None:
        return False
    return actor.role != Role.pembina or needs_endorsement(release)
