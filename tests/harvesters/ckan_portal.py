"""A CKAN-shaped portal on 127.0.0.1 for tests and benchmarks: the action API as CKAN 2.9, 2.10 and 2.11 answer it.

It pages package_search (capping rows like CKAN's ckan.search.rows_max), honours ``fl``, ``fq`` on
organization and metadata_modified ranges, answers package_show and package_list with CKAN's envelopes,
and can play a portal whose search index is broken.
"""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def package(
    name: str,
    modified: str,
    *,
    version: str = "2.10",
    organization: str = "diskominfo",
    title: str | None = None,
    license_id: str = "cc-by",
    resources: list[dict[str, Any]] | None = None,
    satu_data: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A package dict as the given CKAN version returns it; 2.11 portals here use ckanext-scheming fields."""
    fields = (
        satu_data
        if satu_data is not None
        else {
            "Kode Wilayah": "61.71.02, 61.71.03",
            "Periode Update Data": "Per Semester",
            "Cara Pengumpulan Data": "Rekapitulasi SIAK",
        }
    )
    result: dict[str, Any] = {
        "id": f"id-{name}",
        "name": name,
        "title": title or name.replace("-", " ").title(),
        "type": "dataset",
        "notes": "Data dari portal Satu Data Kota Pontianak.",
        "metadata_modified": modified,
        "metadata_created": "2024-01-01T00:00:00.000000",
        "state": "active",
        "private": False,
        "license_id": license_id,
        "license_title": license_id,
        "maintainer": "Bidang Statistik",
        "maintainer_email": "statistik@pontianak.go.id",
        "num_resources": len(resources or []),
        "organization": {
            "id": f"org-{organization}",
            "name": organization,
            "title": organization.title(),
            "type": "organization",
            "is_organization": True,
        },
        "owner_org": f"org-{organization}",
        "groups": [{"name": "kependudukan", "title": "Kependudukan"}],
        "tags": [{"name": "kependudukan", "display_name": "kependudukan", "state": "active", "vocabulary_id": None}],
        "resources": [
            {
                "id": f"res-{name}-{n}",
                "package_id": f"id-{name}",
                "position": n,
                "state": "active",
                "url_type": None,
                **r,
            }
            for n, r in enumerate(resources or [])
        ],
    }
    if version == "2.11":
        result.update({re.sub(r"\W+", "_", k.lower()): v for k, v in fields.items()})
    else:
        result["extras"] = [{"key": k, "value": v} for k, v in fields.items()]
    if version == "2.9":
        for tag in result["tags"]:
            tag["id"] = f"tag-{tag['name']}"
    return result


class CkanPortal:
    def __init__(self, *, version: str = "2.10", rows_max: int = 1000) -> None:
        self.version = version
        self.rows_max = rows_max
        self.packages: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.search_broken = False
        self.html_everywhere = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, name: str, modified: str, **extra: Any) -> dict[str, Any]:
        self.packages[name] = package(name, modified, version=self.version, **extra)
        return self.packages[name]

    def start(self) -> "CkanPortal":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _envelope(self, action: str, result: Any = None, error: dict[str, str] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"help": f"{self.url}/api/3/action/help_show?name={action}", "success": error is None}
        body["error" if error else "result"] = error if error else result
        return body

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        if path in self.files:
            return 200, "text/csv", self.files[path]
        if self.html_everywhere:
            return 200, "text/html", b"<html><body><h1>Portal sedang dalam pemeliharaan</h1></body></html>"
        action = path.removeprefix("/api/3/action/")
        if action == path:
            return 404, "text/html", b"<html>Not Found</html>"
        if action == "package_search":
            if self.search_broken:
                return (
                    500,
                    "application/json",
                    json.dumps(
                        self._envelope(
                            action, error={"__type": "Search Error", "message": "Search error: SOLR returned an error"}
                        )
                    ).encode(),
                )
            return 200, "application/json", json.dumps(self._envelope(action, self._search(query))).encode()
        if action == "package_list":
            return 200, "application/json", json.dumps(self._envelope(action, sorted(self.packages))).encode()
        if action == "package_show":
            wanted = query.get("id", [""])[0]
            found = next((p for p in self.packages.values() if wanted in (p["id"], p["name"])), None)
            if found is None:
                return (
                    404,
                    "application/json",
                    json.dumps(
                        self._envelope(action, error={"__type": "Not Found Error", "message": "Not found"})
                    ).encode(),
                )
            return 200, "application/json", json.dumps(self._envelope(action, found)).encode()
        return (
            400,
            "application/json",
            json.dumps(
                self._envelope(
                    action, error={"__type": "Bad request", "message": f"Bad request - Action name not known: {action}"}
                )
            ).encode(),
        )

    def _search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        matches = sorted(self.packages.values(), key=lambda p: str(p["id"]))
        for clause in re.findall(r"(\w+):(\[[^\]]*\]|\S+)", query.get("fq", [""])[0]):
            field, value = clause
            if field == "organization":
                matches = [p for p in matches if p["organization"]["name"] == value]
            elif field == "metadata_modified":
                low = value.strip("[]").split(" TO ")[0].rstrip("Z")
                matches = [p for p in matches if p["metadata_modified"] >= low]
        start = int(query.get("start", ["0"])[0])
        rows = min(int(query.get("rows", ["10"])[0]), self.rows_max)
        page = matches[start : start + rows]
        if fields := query.get("fl"):
            page = [{f: p.get(f) for f in fields} for p in page]
        return {"count": len(matches), "results": page, "sort": "id asc", "facets": {}, "search_facets": {}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as CKAN's web servers do
            disable_nagle_algorithm = True  # as they do too: no small-packet delay between headers and body

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                portal.requests.append(self.path)
                status, kind, body = portal.answer(parts.path, parse_qs(parts.query))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
