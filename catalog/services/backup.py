"""`terbuka backup` and `terbuka restore`: the whole catalogue in one tar file, checked on the way back.

The archive holds ``manifest.json`` (format, schema revision, each table's row count and SHA-256, each
stored file's size), ``tables/NAME.jsonl`` (one JSON object a row, read from the database as it is, so
every table any migration made is kept) and ``files/SHA256`` (the content-addressed files). It is the same
on SQLite and PostgreSQL, so a backup of one restores into the other. A restore goes into an empty
catalogue only: it checks every table and file against the manifest before it writes anything, migrates
the empty database to the backup's revision, loads every row in one transaction, then migrates to this
version's head. The search index is rebuilt afterwards from the restored catalogue.
"""

import hashlib
import io
import json
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, DateTime, MetaData, Table, func, select, text
from sqlalchemy.engine import Connection, Engine

from catalog.errors import Conflict, Invalid
from catalog.migrate import upgrade
from catalog.storage import FileStore

FORMAT = "terbuka-backup"
VERSION = 1
SKIPPED_TABLES = {"alembic_version"}
REFERENCE_TABLES = {"license", "theme"}  # loaded by `db upgrade`; replaced by the backup's own rows
CHUNK = 1 << 20
INSERT_BATCH = 1000
Progress = Callable[[str], None]


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to a backup")


def _tables(connection: Connection) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(connection)
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _revision(connection: Connection) -> str:
    return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def _dump_table(connection: Connection, table: Table, target: Path) -> tuple[int, str]:
    digest, rows = hashlib.sha256(), 0
    order = list(table.primary_key.columns) or list(table.columns)
    with target.open("wb") as out:
        for row in connection.execution_options(yield_per=INSERT_BATCH).execute(select(table).order_by(*order)):
            line = json.dumps(dict(row._mapping), default=_json_value, ensure_ascii=False).encode() + b"\n"
            digest.update(line)
            out.write(line)
            rows += 1
    return rows, digest.hexdigest()


def create_backup(engine: Engine, store: FileStore, archive: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Write the archive (gzip-compressed when its name ends in .gz); returns its manifest."""
    say = progress or (lambda _message: None)
    with tempfile.TemporaryDirectory(prefix="terbuka-backup-") as tmp, engine.connect() as connection:
        # One read transaction: the tables are a consistent picture of one moment.
        with connection.begin():
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "version": VERSION,
                "created": datetime.now().astimezone().isoformat(),
                "dialect": engine.dialect.name,
                "revision": _revision(connection),
                "tables": {},
                "files": {},
            }
            for table in _tables(connection):
                rows, sha = _dump_table(connection, table, Path(tmp) / f"{table.name}.jsonl")
                manifest["tables"][table.name] = {"rows": rows, "sha256": sha}
                say(f"table {table.name}: {rows} rows")
            referenced = _referenced_files(connection)
        for sha in sorted(referenced):
            path = store.path_for(sha)
            if not path.is_file():
                raise Conflict(f"stored file {sha} is missing: run 'terbuka doctor' first", code="file_missing")
            manifest["files"][sha] = path.stat().st_size
        partial = archive.with_name(archive.name + ".partial")
        try:
            with tarfile.open(partial, "w:gz" if archive.name.endswith(".gz") else "w") as tar:
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
                for name in manifest["tables"]:
                    tar.add(Path(tmp) / f"{name}.jsonl", arcname=f"tables/{name}.jsonl")
                for sha in manifest["files"]:
                    tar.add(store.path_for(sha), arcname=f"files/{sha}")
            partial.replace(archive)
        except BaseException:
            partial.unlink(missing_ok=True)  # never a half-written archive that looks like a backup
            raise
    say(f"{len(manifest['files'])} files, {sum(manifest['files'].values()):,} bytes")
    return manifest


def _referenced_files(connection: Connection) -> set[str]:
    found: set[str] = set()
    for sha, report in connection.execute(text("SELECT sha256, report_sha256 FROM resource")):
        found.update(s for s in (sha, report) if s)
    return found


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    yield from iter(lambda: handle.read(CHUNK), b"")


def _members(tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    for member in tar:
        handle = tar.extractfile(member) if member.isfile() else None
        if handle is not None:
            yield member, handle


def _read_archive(archive: Path, store: FileStore, workdir: Path) -> dict[str, Any]:
    """Check every member against the manifest; tables land in ``workdir``, files in the store."""
    manifest: dict[str, Any] | None = None
    seen_tables: set[str] = set()
    seen_files: set[str] = set()
    with tarfile.open(archive, "r:*") as tar:
        for member, handle in _members(tar):
            if member.name == "manifest.json":
                manifest = json.loads(handle.read())
                if manifest is None or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
                    raise Invalid(f"{archive} is not a Terbuka backup of version {VERSION}", code="not_a_backup")
                continue
            if manifest is None:
                raise Invalid("the backup's manifest must come first", code="not_a_backup")
            folder, _, name = member.name.partition("/")
            if folder == "tables" and name.endswith(".jsonl") and name[:-6] in manifest["tables"]:
                table = name[:-6]
                target = workdir / name
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    for chunk in _chunks(handle):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != manifest["tables"][table]["sha256"]:
                    raise Invalid(f"table {table} does not match the manifest: the backup is damaged", code="corrupt")
                seen_tables.add(table)
            elif folder == "files" and name in manifest["files"]:
                stored = store.put_chunks(_chunks(handle))
                if stored.sha256 != name:
                    raise Invalid(f"file {name} does not match its checksum: the backup is damaged", code="corrupt")
                seen_files.add(name)
            else:
                raise Invalid(f"unexpected member {member.name!r} in the backup", code="not_a_backup")
    if manifest is None:
        raise Invalid(f"{archive} has no manifest", code="not_a_backup")
    missing = (set(manifest["tables"]) - seen_tables) | (set(manifest["files"]) - seen_files)
    if missing:
        raise Invalid(f"the backup is incomplete: {len(missing)} members missing", code="corrupt")
    return manifest


def _typed(table: Table) -> Callable[[dict[str, Any]], dict[str, Any]]:
    dates = {c.name: c.type for c in table.columns if isinstance(c.type, Date | DateTime)}

    def convert(row: dict[str, Any]) -> dict[str, Any]:
        for name, kind in dates.items():
            value = row.get(name)
            if isinstance(value, str):
                parsed = datetime.fromisoformat(value)
                row[name] = parsed if isinstance(kind, DateTime) else parsed.date()
        return row

    return convert


def _check_empty(connection: Connection, tables: list[Table]) -> None:
    for table in tables:
        if table.name in REFERENCE_TABLES:
            continue
        if connection.execute(select(func.count()).select_from(table)).scalar_one():
            raise Conflict(
                f"the target catalogue is not empty (table {table.name} has rows): restore into an empty database",
                code="not_empty",
            )


def restore_backup(
    engine: Engine, database_url: str, store: FileStore, archive: Path, progress: Progress | None = None
) -> dict[str, Any]:
    """Restore the archive into the empty catalogue at ``database_url``; returns the manifest."""
    say = progress or (lambda _message: None)
    with tempfile.TemporaryDirectory(prefix="terbuka-restore-") as tmp:
        workdir = Path(tmp)
        manifest = _read_archive(archive, store, workdir)
        say(f"checked {len(manifest['tables'])} tables and {len(manifest['files'])} files")
        upgrade(database_url, manifest["revision"])
        with engine.begin() as connection:
            tables = {t.name: t for t in _tables(connection)}
            unknown = set(manifest["tables"]) - set(tables)
            if unknown:
                raise Invalid(f"the backup has tables this version lacks: {', '.join(sorted(unknown))}", code="corrupt")
            _check_empty(connection, list(tables.values()))
            for name in REFERENCE_TABLES & set(manifest["tables"]):
                connection.execute(tables[name].delete())
            for table in tables.values():
                if table.name in manifest["tables"]:
                    _load_table(connection, table, workdir / f"{table.name}.jsonl")
                    say(f"table {table.name}: {manifest['tables'][table.name]['rows']} rows")
            if engine.dialect.name == "postgresql":
                _reset_sequences(connection, list(tables.values()))
    upgrade(database_url, "head")
    return manifest


def _load_table(connection: Connection, table: Table, source: Path) -> None:
    convert = _typed(table)
    batch: list[dict[str, Any]] = []
    with source.open("rb") as lines:
        for line in lines:
            batch.append(convert(json.loads(line)))
            if len(batch) >= INSERT_BATCH:
                connection.execute(table.insert(), batch)
                batch = []
    if batch:
        connection.execute(table.insert(), batch)


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Rows came with their ids: the next id each table hands out must follow them."""
    for table in tables:
        if "id" not in table.columns or table.columns["id"].type.python_type is not int:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )
