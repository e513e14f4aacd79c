"""File storage behind one interface; the embedded default is a local folder.

Keys are relative, slash-separated names (`products/12/3f2a.png`). A production deployment
can plug an object store in by implementing `Storage` and naming it in configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from flask import Flask, current_app, url_for


class Storage(Protocol):
    def save(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def url(self, key: str) -> str: ...


class InvalidKey(ValueError):
    """A storage key that would escape the storage root."""


class LocalStorage:
    """Files under a folder, served by the app at `/media/<key>`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise InvalidKey(key)
        return path

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a reader never sees half a file

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except InvalidKey:
            return False

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return url_for("media", key=key)


def init_app(app: Flask) -> None:
    """Bind the configured storage to the app and serve local files at `/media/<key>`."""
    from flask import abort, send_from_directory

    storage = LocalStorage(Path(app.config["UPLOAD_DIR"]))
    app.extensions["storage"] = storage

    @app.get("/media/<path:key>")
    def media(key: str):
        if not storage.exists(key):
            abort(404)
        response = send_from_directory(storage.root, key, max_age=86400)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def get_storage() -> Storage:
    return current_app.extensions["storage"]
