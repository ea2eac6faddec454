"""Where files live: uploads, letters and exports, each an *area* of one
storage backend chosen by configuration.

``local`` (the default) keeps each area in its folder (``UPLOAD_DIR``,
``LETTER_DIR``, ``EXPORT_DIR``): right for one machine. ``s3`` keeps them as
private objects under ``<S3_PREFIX><area>/`` in one bucket of an S3-compatible
store, so every web node and worker sees the same files. Either way a file
leaves only through a view that has checked who is asking: no public or
presigned URL is ever handed out.

Files are written locally first (``new_file``) and put in place only when
complete, so a reader never sees half a file and a refused upload or a failed
export leaves nothing behind."""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Iterator

from flask import current_app, send_file

#: area name -> the setting naming its local folder
AREAS = {"uploads": "UPLOAD_DIR", "letters": "LETTER_DIR", "exports": "EXPORT_DIR"}
STAGING = ".staging"  # beside the files, so that putting one in place is a rename
#: area -> functions ``(keys) -> the keys among them that rows still refer to``,
#: registered by the domains that own the rows (read by ``sweep``)
REFERENCED_BY: dict[str, list] = {name: [] for name in AREAS}


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified_at: datetime


def _checked(key: str) -> str:
    """Keys are made by the app, never by users; refuse anything that could leave its area."""
    if not key or "\\" in key or any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"invalid storage key {key!r}")
    return key


class _Storage:
    @contextmanager
    def new_file(self, key: str) -> Iterator[Path]:
        """A local path to write ``key`` to; stored when the block ends without
        an error, discarded otherwise."""
        _checked(key)
        with tempfile.TemporaryDirectory(dir=self._staging_dir()) as folder:
            path = Path(folder) / PurePosixPath(key).name
            yield path
            self.put_file(key, path)

    def exists(self, key: str) -> bool:
        return self.stat(key) is not None

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as handle:
            return handle.read()


class LocalStorage(_Storage):
    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / _checked(key)

    def _staging_dir(self) -> Path:
        folder = self.root / STAGING
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def put_file(self, key: str, source: Path) -> None:
        """Move ``source`` (a finished local file) into place atomically."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except OSError:  # another file system: copy beside the target, then rename
            fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
            os.close(fd)
            try:
                shutil.copyfile(source, temporary)
                os.replace(temporary, target)
            finally:
                Path(temporary).unlink(missing_ok=True)
            Path(source).unlink(missing_ok=True)

    def put_bytes(self, key: str, data: bytes) -> None:
        with self.new_file(key) as path:
            path.write_bytes(data)

    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")

    def stat(self, key: str) -> StoredObject | None:
        try:
            info = self.path(key).stat()
        except FileNotFoundError:
            return None
        return StoredObject(key, info.st_size, datetime.fromtimestamp(info.st_mtime, timezone.utc))

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """Every stored file whose key starts with ``prefix`` (for the sweep)."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and key.startswith(prefix):  # with what a killed process left in STAGING
                info = path.stat()
                yield StoredObject(key, info.st_size, datetime.fromtimestamp(info.st_mtime, timezone.utc))

    def send(self, key: str, *, mimetype: str, download_name: str, as_attachment: bool = True,
             max_age: int = 0):
        """A response streaming the file (raises ``FileNotFoundError`` when it is gone)."""
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return send_file(path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
                         max_age=max_age, conditional=True)


class S3Storage(_Storage):
    def __init__(self, client, bucket: str, prefix: str):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _name(self, key: str) -> str:
        # checked before the client is touched
        return self.prefix + _checked(key)

    def _staging_dir(self) -> None:
        return None  # the system's temporary folder

    def _missing(self, error) -> bool:
        return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")

    def put_file(self, key: str, source: Path) -> None:
        # objects are private: no ACL is given, so only the bucket owner's credentials read them
        name = self._name(key)
        self.client.upload_file(str(source), self.bucket, name)
        Path(source).unlink(missing_ok=True)

    def put_bytes(self, key: str, data: bytes) -> None:
        name = self._name(key)
        self.client.put_object(Bucket=self.bucket, Key=name, Body=data)

    def _get(self, key: str) -> dict:
        from botocore.exceptions import ClientError

        name = self._name(key)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if self._missing(error):
                raise FileNotFoundError(key) from None
            raise

    def open(self, key: str) -> BinaryIO:
        return self._get(key)["Body"]

    def stat(self, key: str) -> StoredObject | None:
        from botocore.exceptions import ClientError

        name = self._name(key)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if self._missing(error):
                return None
            raise
        return StoredObject(key, head["ContentLength"], head["LastModified"])

    def delete(self, key: str) -> None:
        name = self._name(key)
        self.client.delete_object(Bucket=self.bucket, Key=name)

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                      Prefix=self.prefix + prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield StoredObject(item["Key"][len(self.prefix):], item["Size"], item["LastModified"])

    def send(self, key: str, *, mimetype: str, download_name: str, as_attachment: bool = True,
             max_age: int = 0):
        """Streams the object through the app in chunks (never the whole file in memory)."""
        stored = self._get(key)
        response = send_file(stored["Body"], mimetype=mimetype, as_attachment=as_attachment,
                             download_name=download_name, max_age=max_age, conditional=True,
                             etag=stored["ETag"].strip('"'), last_modified=stored["LastModified"])
        if response.status_code == 200:
            response.content_length = stored["ContentLength"]
        return response


_CLIENT_LOCK = threading.Lock()


def _s3_client(app):
    """One client per app and process (boto3 clients are thread-safe but must
    not cross a fork: RQ forks a process per job)."""
    settings = (os.getpid(), app.config.get("S3_ENDPOINT_URL"), app.config.get("S3_REGION"))
    held = app.extensions.get("grantflow_s3_client")
    if held and held[0] == settings:
        return held[1]
    with _CLIENT_LOCK:
        held = app.extensions.get("grantflow_s3_client")
        if held and held[0] == settings:
            return held[1]
        import boto3
        from botocore.config import Config

        _, endpoint_url, region = settings
        # S3-compatible stores at their own address expect the bucket in the path
        config = Config(s3={"addressing_style": "path"} if endpoint_url else {},
                        retries={"mode": "standard", "max_attempts": 3})
        client = boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region,
                                                config=config)
        app.extensions["grantflow_s3_client"] = (settings, client)
        return client


def area(name: str) -> LocalStorage | S3Storage:
    """The storage of one area (``uploads``, ``letters`` or ``exports``) as configured."""
    app = current_app._get_current_object()
    if app.config.get("STORAGE", "local") == "s3":
        return S3Storage(_s3_client(app), app.config["S3_BUCKET"],
                         f"{app.config.get('S3_PREFIX') or ''}{name}/")
    return LocalStorage(Path(app.config[AREAS[name]]))


def sweep(area_name: str, *, older_than: timedelta, now: datetime | None = None) -> list[StoredObject]:
    """Delete the files of an area that no row refers to: left by a process that
    died between storing a file and committing its row (a rollback deletes its
    own). Files younger than ``older_than`` are kept, as their transaction may be
    running still; an area no domain vouches for is left alone. The dispatcher
    (``core.dispatcher``) calls this."""
    checks = REFERENCED_BY[area_name]
    if not checks:
        return []
    files = area(area_name)
    cutoff = (now or datetime.now(timezone.utc)) - older_than
    candidates = [stored for stored in files.list() if stored.modified_at < cutoff]
    referenced: set[str] = set()
    for start in range(0, len(candidates), 500):
        keys = [stored.key for stored in candidates[start:start + 500]]
        for check in checks:
            referenced |= check(keys)
    orphans = [stored for stored in candidates if stored.key not in referenced]
    for stored in orphans:
        files.delete(stored.key)
    return orphans
