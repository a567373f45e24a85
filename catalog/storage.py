"""Content-addressed file storage: files live under DATA_DIR/files/ab/cd/<sha256>."""

import hashlib
import os
import shutil
import socket
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from catalog.errors import STORAGE_FULL_MESSAGE, NotFound, StorageFull, TooLarge, is_storage_full

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    byte_size: int
    path: Path


HOST = socket.gethostname()


def scratch_name(pid: int | None = None) -> str:
    return f"{HOST}-{os.getpid() if pid is None else pid}"


def owner_is_gone(folder: Path) -> bool:
    """Whether ``folder`` is the scratch folder of a process of this host that no longer runs."""
    host, _, pid = folder.name.rpartition("-")
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


class FileStore:
    """Stored files under ``root/files``; each process writes its temporary files under its own
    ``root/tmp/HOST-PID`` (on the same disk, so a finished file is renamed into place), which the next
    process to start sweeps once its owner is gone: a crash leaves no temporary file for long."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = root / "files"
        self.scratch_root = root / "tmp"

    @property
    def tmp(self) -> Path:
        return self.scratch_root / scratch_name()

    def claim_scratch(self) -> Path:
        """Make this process's scratch folder its temporary folder (TMPDIR, for the processes it starts too)
        and remove the scratch folders of processes that are gone."""
        self.sweep_scratch()
        self.tmp.mkdir(parents=True, exist_ok=True)
        os.environ["TMPDIR"] = tempfile.tempdir = str(self.tmp)
        return self.tmp

    def sweep_scratch(self) -> list[Path]:
        swept = [d for d in self.scratch_root.glob("*-*") if d.is_dir() and owner_is_gone(d)]
        for folder in swept:
            shutil.rmtree(folder, ignore_errors=True)
        return swept

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound(f"no stored file {sha256!r}", code="file_not_found")
        return self.files / sha256[:2] / sha256[2:4] / sha256

    def open(self, sha256: str) -> Path:
        path = self.path_for(sha256)
        if not path.is_file():
            raise NotFound(f"stored file {sha256} is missing", code="file_not_found")
        return path

    def put_chunks(self, chunks: Iterable[bytes], *, max_bytes: int | None = None, sync: bool = True) -> StoredFile:
        """Stream chunks to a temporary file, hashing as they come, then rename into place.

        Nothing partial is ever left behind: an oversize or failed write removes the temp file. With
        ``sync=False`` the file is not forced to disk: the caller calls ``sync()`` before it commits
        anything that refers to it (one flush for a whole batch of files).
        """
        self.tmp.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(f"file is larger than the limit of {max_bytes:,} bytes", code="file_too_large")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                if sync:
                    os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path_for(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, final)
            return StoredFile(sha, size, final)
        except BaseException as exc:
            Path(tmp_name).unlink(missing_ok=True)
            if is_storage_full(exc):
                raise StorageFull(STORAGE_FULL_MESSAGE) from exc
            raise

    def put_file(self, stream: BinaryIO, *, max_bytes: int | None = None, sync: bool = True) -> StoredFile:
        return self.put_chunks(iter(lambda: stream.read(CHUNK), b""), max_bytes=max_bytes, sync=sync)

    def put_path(self, path: Path, *, max_bytes: int | None = None, sync: bool = True) -> StoredFile:
        with path.open("rb") as stream:
            return self.put_file(stream, max_bytes=max_bytes, sync=sync)

    def put_bytes(self, data: bytes, *, sync: bool = True) -> StoredFile:
        return self.put_chunks([data], sync=sync)

    @staticmethod
    def sync() -> None:
        """Force every file written without ``sync`` (by any process) to disk."""
        os.sync()

    def copy_out(self, sha256: str, target: Path) -> None:
        shutil.copyfile(self.open(sha256), target)
