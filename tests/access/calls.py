"""The request each entry of the matrix sends: its path parameters filled from the catalogue, and a body.

A filler gets the world and ``fresh``: True when the caller is expected to succeed, so that a change it
makes (submitting, withdrawing…) is made to a release of its own, in the state the action needs, rather
than to the shared one the refused callers are tried on.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.access.world import CSV, NOTE, OPD_A, OPD_B, PUBLISHED_DATASET, UNPUBLISHED_DATASET, WORKFLOW_DATASET, World


@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    data: dict[str, Any] = field(default_factory=dict)
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None
    params: dict[str, str] = field(default_factory=dict)


Filler = Callable[[World, bool], Call]
FILLERS: dict[str, Filler] = {}
CSV_FILE = ("data.csv", CSV, "text/csv")


def get(key: str, path: str, **params: str) -> None:
    """An entry that reads a fixed address (its parameters filled with names of the catalogue)."""
    FILLERS[key] = lambda world, fresh: Call(
        "GET", path.format(**world.ids), params={name: value.format(**world.ids) for name, value in params.items()}
    )


def entry(key: str) -> Callable[[Filler], Filler]:
    def register(filler: Filler) -> Filler:
        FILLERS[key] = filler
        return filler

    return register


# --- documentation, health, static files ------------------------------------------------------------------
get("GET /openapi.json", "/openapi.json")
get("GET /api-docs-assets", "/api-docs-assets/swagger-ui.css")
get("GET /docs", "/docs")
get("GET /docs/oauth2-redirect", "/docs/oauth2-redirect")
get("GET /redoc", "/redoc")
get("GET /healthz", "/healthz")
get("GET /static", "/static/portal.css")

# --- REST: organizations, datasets ---------------------------------------------------------------------------
get("GET /api/v1/organizations", "/api/v1/organizations")
get("GET /api/v1/organizations/{slug}", f"/api/v1/organizations/{OPD_A}")
FILLERS["POST /api/v1/organizations"] = lambda w, fresh: Call(
    "POST", "/api/v1/organizations", json={"slug": w.unique("opd-baru"), "name": "OPD Baru"}
)
FILLERS["PATCH /api/v1/organizations/{slug}"] = lambda w, fresh: Call(
    "PATCH", f"/api/v1/organizations/{OPD_B}", json={"description": "Dinas Kesehatan Kota Pontianak"}
)
get("GET /api/v1/datasets", "/api/v1/datasets")
FILLERS["POST /api/v1/datasets"] = lambda w, fresh: Call(
    "POST", "/api/v1/datasets", json={"slug": w.unique("baru"), "organization": OPD_A, "title": "Dataset baru"}
)
FILLERS["PATCH /api/v1/datasets/{slug}"] = lambda w, fresh: Call(
    "PATCH", f"/api/v1/datasets/{PUBLISHED_DATASET}", json={"description": "Jumlah penduduk per kecamatan."}
)
for variant, slug in (("published", PUBLISHED_DATASET), ("unpublished", UNPUBLISHED_DATASET)):
    for tail in ("", "/releases", "/quality", "/activity", "/data"):
        get(f"GET /api/v1/datasets/{{slug}}{tail} [{variant}]", f"/api/v1/datasets/{slug}{tail}")
    for document in (".schema.json", "/datapackage.json", "/datapackage.zip", ".ttl", ".rdf", ".jsonld"):
        get(f"GET /dataset/{{slug}}{document} [{variant}]", f"/dataset/{slug}{document}")
    get(f"GET /dataset/{{slug}} [{variant}]", f"/dataset/{slug}")
    get(f"GET /kelola/dataset/{{slug}} [{variant}]", f"/kelola/dataset/{slug}")
FILLERS["POST /api/v1/datasets/{slug}/releases"] = lambda w, fresh: Call(
    "POST", f"/api/v1/datasets/{WORKFLOW_DATASET}/releases", files=[("files", CSV_FILE)]
)

# --- REST: releases and their files ------------------------------------------------------------------------
for variant in ("published", "draft"):
    get(f"GET /api/v1/releases/{{release_id}} [{variant}]", f"/api/v1/releases/{{{variant}}}")
    get(f"GET /api/v1/releases/{{release_id}}/validation [{variant}]", f"/api/v1/releases/{{{variant}}}/validation")
    for tail in ("report", "download"):
        get(
            f"GET /api/v1/releases/{{release_id}}/resources/{{resource_id}}/{tail} [{variant}]",
            f"/api/v1/releases/{{{variant}}}/resources/{{{variant}_resource}}/{tail}",
        )
    get(f"GET /api/v1/datastore/{{resource_id}} [{variant}]", f"/api/v1/datastore/{{{variant}_resource}}")
    get(f"GET /kelola/rilis/{{release_id}} [{variant}]", f"/kelola/rilis/{{{variant}}}")
get("GET /api/v1/review-queue", "/api/v1/review-queue")
FILLERS["PATCH /api/v1/releases/{release_id}"] = lambda w, fresh: Call(
    "PATCH", f"/api/v1/releases/{w.ids['draft']}", json={"notes": NOTE}
)
FILLERS["POST /api/v1/releases/{release_id}/resources"] = lambda w, fresh: Call(
    "POST", f"/api/v1/releases/{w.ids['draft']}/resources", files=[("file", CSV_FILE)]
)


@entry("DELETE /api/v1/releases/{release_id}/resources/{resource_id}")
def remove_resource(world: World, fresh: bool) -> Call:
    release = world.release("draft") if fresh else world.ids["draft"]
    return Call("DELETE", f"/api/v1/releases/{release}/resources/{world.resource_of(release)}")


# Which release each workflow action is tried on: (the state it needs, the dataset's kind).
MOVES = {
    "submit": ("draft", "draft"),
    "approve": ("submitted", "workflow_submitted"),
    "return": ("submitted", "workflow_submitted"),
    "reopen": ("returned", "workflow_returned"),
    "withdraw": ("published", "published"),
    "endorse": ("submitted", "priority_submitted"),
}


def _target(world: World, action: str, fresh: bool) -> int:
    state, shared = MOVES[action]
    if not fresh:
        return world.ids[shared]
    return world.release(state, "prioritas-a" if action == "endorse" else WORKFLOW_DATASET)


def _move(action: str, portal: bool) -> Filler:
    def fill(world: World, fresh: bool) -> Call:
        release = _target(world, action, fresh)
        if portal:
            return Call("POST", f"/kelola/rilis/{release}/{action}", data={"note": NOTE})
        return Call("POST", f"/api/v1/releases/{release}/{action}", json={"note": NOTE})

    return fill


for _action in MOVES:
    FILLERS[f"POST /api/v1/releases/{{release_id}}/{_action}"] = _move(_action, portal=False)
    FILLERS[f"POST /kelola/rilis/{{release_id}}/{{action}} [{_action}]"] = _move(_action, portal=True)

# --- REST: schemas, search, accounts, vocabularies ---------------------------------------------------------
get("GET /api/v1/schemas", "/api/v1/schemas")
get("GET /api/v1/schemas/{name}", "/api/v1/schemas/penduduk-kecamatan")
get("GET /api/v1/schemas/{name}/{version}", "/api/v1/schemas/penduduk-kecamatan/1.0")
FILLERS["POST /api/v1/schemas/infer"] = lambda w, fresh: Call(
    "POST", "/api/v1/schemas/infer", files=[("file", CSV_FILE)]
)
get("GET /api/v1/search", "/api/v1/search", q="penduduk")
get("GET /api/v1/search/suggest", "/api/v1/search/suggest", q="pend")
get("GET /api/v1/users", "/api/v1/users")
FILLERS["POST /api/v1/users"] = lambda w, fresh: Call(
    "POST", "/api/v1/users", json={"username": w.unique("akun"), "role": "produsen", "organization": OPD_B}
)
FILLERS["PATCH /api/v1/users/{username}"] = lambda w, fresh: Call(
    "PATCH", "/api/v1/users/cadangan", json={"organization": OPD_B}
)
for _vocabulary in ("licenses", "themes", "tags", "frequencies", "me"):
    get(f"GET /api/v1/{_vocabulary}", f"/api/v1/{_vocabulary}")

# --- REST: harvesting --------------------------------------------------------------------------------------
get("GET /api/v1/harvest/sources", "/api/v1/harvest/sources")
FILLERS["POST /api/v1/harvest/sources"] = lambda w, fresh: Call(
    "POST",
    "/api/v1/harvest/sources",
    json={"organization": OPD_A, "type": "ckan", "url": f"https://{w.unique('portal')}.example.go.id/"},
)
get("GET /api/v1/harvest/sources/{source_id}", "/api/v1/harvest/sources/{source}")
FILLERS["POST /api/v1/harvest/sources/{source_id}/run"] = lambda w, fresh: Call(
    "POST", f"/api/v1/harvest/sources/{w.ids['source']}/run"
)
get("GET /api/v1/harvest/jobs/{job_id}", "/api/v1/harvest/jobs/{job}")
get("GET /api/v1/harvest/sources/{source_id}/portal", "/api/v1/harvest/sources/{portal_source}/portal")
FILLERS["PUT /api/v1/harvest/sources/{source_id}/portal"] = lambda w, fresh: Call(
    "PUT", f"/api/v1/harvest/sources/{w.ids['portal_source']}/portal", json={"orgs": {"dukcapil": OPD_A}}
)
FILLERS["PUT /api/v1/harvest/sources/{source_id}/portal [create_orgs]"] = lambda w, fresh: Call(
    "PUT",
    f"/api/v1/harvest/sources/{w.portal_source() if fresh else w.ids['portal_source']}/portal",
    json={"create_orgs": True},
)
FILLERS["DELETE /api/v1/harvest/sources/{source_id}/portal"] = lambda w, fresh: Call(
    "DELETE", f"/api/v1/harvest/sources/{w.portal_source() if fresh else w.ids['portal_source']}/portal"
)
get("GET /api/v1/harvest/sources/{source_id}/items", "/api/v1/harvest/sources/{source}/items")
get("GET /api/v1/harvest/jobs", "/api/v1/harvest/jobs")

# --- datastore ----------------------------------------------------------------------------------------------
get("GET /api/v1/datastore", "/api/v1/datastore")
get("GET /api/v1/datastore/sql", "/api/v1/datastore/sql", sql='SELECT count(*) AS n FROM "{published_resource}"')
FILLERS["POST /api/v1/datastore/sql"] = lambda w, fresh: Call(
    "POST", "/api/v1/datastore/sql", json={"sql": f'SELECT count(*) AS n FROM "{w.ids["published_resource"]}"'}
)

# --- open-data documents and feeds -------------------------------------------------------------------------
for _document in ("/catalog.ttl", "/catalog.rdf", "/catalog.jsonld", "/data.json", "/feeds/releases.atom"):
    get(f"GET {_document}", _document)
get("GET /feeds/opd/{slug}.atom", f"/feeds/opd/{OPD_A}.atom")
get("GET /api", "/api")
get("GET /api/3", "/api/3")

# --- the portal ---------------------------------------------------------------------------------------------
for _page in ("/", "/opd", "/robots.txt", "/sitemap.xml", "/masuk", "/kelola", "/kelola/dataset-baru"):
    get(f"GET {_page}", _page)
for _page in ("/kelola/tinjauan", "/kelola/kepatuhan", "/kelola/kepatuhan.csv", "/kelola/panen"):
    get(f"GET {_page}", _page)
get("GET /cari", "/cari", q="penduduk")
get("GET /opd/{slug}", f"/opd/{OPD_A}")
get("GET /dataset/{slug}/rilis/{number} [published]", f"/dataset/{PUBLISHED_DATASET}/rilis/1")
get("GET /dataset/{slug}/rilis/{number} [draft]", f"/dataset/{PUBLISHED_DATASET}/rilis/2")
FILLERS["POST /masuk"] = lambda w, fresh: Call(
    "POST", "/masuk", data={"username": "a-data", "password": "kata-sandi-uji-123"}
)
FILLERS["POST /keluar"] = lambda w, fresh: Call("POST", "/keluar")
FILLERS["POST /kelola/dataset-baru"] = lambda w, fresh: Call(
    "POST", "/kelola/dataset-baru", data={"slug": w.unique("portal"), "title": "Dataset portal", "organization": OPD_A}
)
FILLERS["POST /kelola/dataset/{slug}/rilis"] = lambda w, fresh: Call(
    "POST", f"/kelola/dataset/{WORKFLOW_DATASET}/rilis", files=[("files", CSV_FILE)]
)
FILLERS["POST /kelola/rilis/{release_id}/berkas"] = lambda w, fresh: Call(
    "POST", f"/kelola/rilis/{w.ids['draft']}/berkas", files=[("file", CSV_FILE)]
)


# --- the CKAN Action API: one entry per action, tried at /api/3/action/NAME and at /api/action/NAME ---------
def ckan(action: str, variant: str = "", writes: bool = False, **values: Any) -> None:
    key = f"ckan {action}" + (f" [{variant}]" if variant else "")

    def fill(world: World, fresh: bool) -> Call:
        filled = {k: v(world, fresh) if callable(v) else v for k, v in values.items()}
        if writes:
            return Call("POST", f"/api/3/action/{action}", json=filled)
        return Call("GET", f"/api/3/action/{action}", params={k: str(v) for k, v in filled.items()})

    FILLERS[key] = fill


def _resource(name: str) -> Callable[[World, bool], str]:
    return lambda world, fresh: str(world.ids[name])


for _name in ("package_search", "package_list", "current_package_list_with_resources", "organization_list"):
    ckan(_name)
for _name in ("group_list", "tag_list", "license_list", "status_show", "site_read"):
    ckan(_name)
ckan("package_show", "published", id=PUBLISHED_DATASET)
ckan("package_show", "unpublished", id=UNPUBLISHED_DATASET)
ckan("organization_show", id=OPD_A)
ckan("group_show", id="kependudukan")
ckan("help_show", name="package_show")
ckan("resource_show", "published", id=_resource("published_resource"))
ckan("resource_show", "draft", id=_resource("draft_resource"))
ckan("datastore_search", "published", resource_id=_resource("published_resource"))
ckan("datastore_search", "draft", resource_id=_resource("draft_resource"))
ckan("datastore_search_sql", sql=lambda w, fresh: f'SELECT count(*) AS n FROM "{w.ids["published_resource"]}"')
ckan("package_create", writes=True, name=lambda w, fresh: w.unique("ckan"), owner_org=OPD_A)
ckan("package_update", writes=True, id=PUBLISHED_DATASET, title="Penduduk A")
ckan("package_patch", writes=True, id=PUBLISHED_DATASET, notes="Jumlah penduduk per kecamatan.")
ckan("resource_create", writes=True, package_id=WORKFLOW_DATASET, url="https://data.example.go.id/penduduk.csv")
ckan(
    "resource_update",
    writes=True,
    id=lambda w, fresh: str(w.resource_of(w.release("draft") if fresh else w.ids["draft"])),
    url="https://data.example.go.id/penduduk-baru.csv",
)
ckan("organization_create", writes=True, name=lambda w, fresh: w.unique("opd-ckan"), title="OPD lewat CKAN")
