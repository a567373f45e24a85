"""An upstream Terbuka in its own process, as a provincial portal a city pushes to: `python -m
tests.interop.upstream DIR PORT`.

It makes its database, an admin, a walidata and a produsen of its own OPD "dinkes" with their API tokens (a read-only
one too), prints those as one line of JSON, then serves on 127.0.0.1:PORT until it is stopped.
"""

import json
import os
import sys
from pathlib import Path


def main(directory: str, port: str) -> None:
    os.environ.update(
        TERBUKA_DATABASE_URL=f"sqlite:///{Path(directory) / 'upstream.db'}",
        TERBUKA_DATA_DIR=str(Path(directory) / "var"),
        TERBUKA_BASE_URL=f"http://127.0.0.1:{port}",
        TERBUKA_RATE_LIMIT_PER_MINUTE="0",
        TERBUKA_RATE_LIMIT_WRITES_PER_MINUTE="0",
    )
    import uvicorn

    from catalog.db import session_scope
    from catalog.migrate import upgrade
    from catalog.models import OrganizationCreate, Role
    from catalog.services.organizations import create_organization
    from catalog.services.reference import ensure_reference_data
    from catalog.services.users import create_token, create_user

    upgrade(os.environ["TERBUKA_DATABASE_URL"])
    with session_scope() as session:
        ensure_reference_data(session)
        admin = create_user(session, username="provinsi", role=Role.admin)
        for slug, name in (("dinkes", "Dinas Kesehatan"), ("diskominfo", "Diskominfo Provinsi")):
            create_organization(session, data=OrganizationCreate(slug=slug, name=name), actor=admin)
        walidata = create_user(session, username="walidata-prov", role=Role.walidata, organization_slug="diskominfo")
        producer = create_user(session, username="dinkes-prov", role=Role.produsen, organization_slug="dinkes")
        tokens = {
            "admin": create_token(session, user=admin),
            "read_only": create_token(session, user=admin, read_only=True),
            "dinkes": create_token(session, user=producer),
            "walidata": create_token(session, user=walidata),
        }
    print(json.dumps(tokens), flush=True)
    uvicorn.run("catalog.app:create_app", factory=True, host="127.0.0.1", port=int(port), log_level="warning")


if __name__ == "__main__":
    main(*sys.argv[1:3])
