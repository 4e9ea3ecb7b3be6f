"""What version of the pipeline a run is: decides which quarantined inputs a run retries.

`pipeline_version()` is the package version plus a hash of the code and SQL that turn an
input into rows (tasks/*.py, sql/**/*.sql): any change to them — a fix for the reason an
input was quarantined, say — makes a new version, with no version number to remember
to bump. An input quarantined by another version is read again once by the next run.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import newsetl.tasks
from newsetl.tasks.store import SQL_DIR


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """Return "<package version>+<12 hex digits of the stage code and SQL>"."""
    try:
        package = version("newsetl")
    except PackageNotFoundError:
        package = "0"
    digest = hashlib.sha256()
    roots = [(Path(newsetl.tasks.__file__).parent, "*.py"), (SQL_DIR, "**/*.sql")]
    for root, pattern in roots:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return f"{package}+{digest.hexdigest()[:12]}"
