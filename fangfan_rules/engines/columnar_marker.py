"""The verified marker: Parquet files the library wrote and validated, read without re-checking.

When :func:`~fangfan_rules.engines.columnar.write_tables` (or ``write_parquet``) writes tables
that the columnar validation accepts *unchanged* (no bad row, every value already in its typed,
stripped, defaulted form), every file it writes carries in its Parquet key-value metadata
(:data:`MARKER_KEY`) a marker: the validation version, the library and polars versions, and a
digest of the data of every file of the dataset. Reading the dataset back by its path
(``identify_frame(pack, "dir/")``, :func:`~fangfan_rules.engines.vectorized.prepare`), the
digests are recomputed from the files' bytes and, when all of them match, the row checks are
skipped: the tables are keyed to their households and evaluated.

What the marker is tied to, and why:

* **the content**: the digest (BLAKE2b) covers the bytes of every column chunk of every file
  (everything between the Parquet header and its footer): one value changed and the file written
  again, with the old metadata copied over, no longer matches. It covers the footer too, all of
  it that says what the bytes mean — the schema as polars reads it (column names, order and
  dtypes), the Parquet schema, each column chunk's place, size, counts, encodings and
  statistics, every key-value entry but the marker's own: two columns' names swapped in the
  footer (every value then read as the other fact) no longer match either. A table added, removed or swapped
  for another dataset's breaks the set of digests. Reading the bytes costs far less than the
  checks (hashing the decoded columns, ``hash_rows``, cost about as much as validating them);
* **the validation**: a marker of another validation version (the checks changed), library or
  polars version is not used;
* **the caller**: ``validate="always"`` validates in full whatever the marker says; the default
  ``"auto"`` uses a marker that matches. Either way the result says which was done
  (``PreparedBatch.validation``, ``VectorizedBatch.validation``, ``frame.attrs["validation"]``)
  and a line is logged at INFO when a marker was found.

The marker detects a changed file, it does not prove who wrote it: data from a source you do
not trust should be read with ``validate="always"``.

In-memory tables (:func:`~fangfan_rules.engines.columnar.to_tables`, ``read_tables``) carry no
marker and are always validated: a mapping of frames can be changed after it was made (polars
frames have in-place setters) and only a digest of the decoded columns, as costly as the checks,
would tell. The in-memory way to validate a batch once is
:func:`~fangfan_rules.engines.vectorized.prepare`, whose result is used as it is.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import polars as pl

from fangfan_rules.engines.columnar_layout import CHILDREN, SCHEMAS, TABLES, household_keys
from fangfan_rules.engines.columnar_validation import VALIDATION_VERSION, validate
from fangfan_rules.errors import FangfanError

#: The key of the marker in a Parquet file's key-value metadata.
MARKER_KEY = "fangfan_rules.validated"
#: The validation modes a caller chooses between.
VALIDATE_MODES = ("auto", "always")
#: ``validation`` of a batch whose row checks were skipped / run.
BY_MARKER = "verified by marker"
FULL = "full"

log = logging.getLogger("fangfan_rules.validation")


@dataclass(frozen=True)
class MarkerCheck:
    """What a dataset's marker says: ``verified`` (it matches the files), and why not if not."""

    verified: bool
    note: str


def check_mode(validate: str) -> str:
    """``validate`` itself, if it is one of :data:`VALIDATE_MODES`."""
    if validate not in VALIDATE_MODES:
        raise ValueError(f"validate must be 'auto' or 'always', not {validate!r}")
    return validate


def _versions() -> dict[str, str]:
    try:
        library = metadata.version("fangfan-rules")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        library = "unknown"
    return {
        "validation": str(VALIDATION_VERSION),
        "library": library,
        "polars": pl.__version__,
        "digest": "data+footer",  # markers of data-only digests (before 2026-12-08) are not used
    }


def _footer_meaning(source: Path | IO[bytes]) -> bytes:
    """What a Parquet file's footer says of its bytes, the marker's own entry left out: the
    schema as polars reads it, the Parquet schema, every column chunk's metadata, the other
    key-value entries (``ARROW:schema``)."""
    import pyarrow.parquet as pq

    if not isinstance(source, Path):
        source.seek(0)
    schema = pl.read_parquet_schema(source)
    if not isinstance(source, Path):
        source.seek(0)
    meta = pq.read_metadata(source)
    entries = {
        k.decode("utf-8", "backslashreplace"): v.decode("utf-8", "backslashreplace")
        for k, v in (meta.metadata or {}).items()
        if k != MARKER_KEY.encode()
    }
    described = {
        "schema": [[name, str(dtype)] for name, dtype in schema.items()],
        "parquet": str(meta.schema).partition("\n")[2],  # the first line names the object
        "rows": meta.num_rows,
        "row_groups": [
            [meta.row_group(g).column(c).to_dict() for c in range(meta.num_columns)]
            for g in range(meta.num_row_groups)
        ],
        "entries": entries,
    }
    return json.dumps(described, sort_keys=True, default=repr).encode()


def data_digest(source: Path | IO[bytes]) -> str:
    """BLAKE2b of a Parquet file's column chunks — its bytes between the ``PAR1`` header and the
    footer — and of what its footer says of them (:func:`_footer_meaning`: all of the footer
    but the marker itself, which cannot be covered)."""
    handle = source.open("rb") if isinstance(source, Path) else source
    try:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        if size < 12:
            return ""
        handle.seek(size - 8)
        (footer,) = struct.unpack("<I", handle.read(4))
        end = size - 8 - footer
        digest = hashlib.blake2b(digest_size=20)
        handle.seek(4)
        left = end - 4
        while left > 0:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            digest.update(block)
            left -= len(block)
        try:
            digest.update(_footer_meaning(handle))
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception:  # a footer that cannot be read: no digest matches it
            return ""
        return digest.hexdigest()
    finally:
        if isinstance(source, Path):
            handle.close()


def certified(tables: Mapping[str, pl.DataFrame]) -> bool:
    """Whether the validation accepts ``tables`` unchanged: no bad row, every table already of
    the layout's dtypes and every value in the form validation gives it (stripped, defaulted).
    Only such tables may carry a marker: reading them back, the trusted path
    (:func:`trusted_tables`) gives exactly what validation would."""
    for t in TABLES:
        frame = tables.get(t)
        if frame is None or dict(frame.schema) != SCHEMAS[t]:
            return False
    try:
        clean, errors = validate(tables)
    except FangfanError as exc:  # the data is still written, without a marker
        log.info("tables written without a marker: validation failed (%s)", type(exc).__name__)
        return False
    if errors.height:
        return False
    return all(clean[t].select(list(SCHEMAS[t])).equals(tables[t]) for t in TABLES)


def write_marked(
    frames: Mapping[str, pl.DataFrame], paths: Mapping[str, Path], **options: Any
) -> None:
    """Write each frame to its path (``write_parquet(**options)``) with one marker covering
    them all. Only for frames whose tables are :func:`certified` (the caller checks).

    ``frames`` and ``paths`` are keyed alike: by table (a directory of tables) or by one name
    (a nested file)."""
    digests = {}
    for name, frame in frames.items():
        buffer = io.BytesIO()
        frame.write_parquet(buffer, **options)  # the column chunks do not depend on the footer
        digests[name] = data_digest(buffer)
    marker = json.dumps({**_versions(), "files": digests}, sort_keys=True)
    for name, frame in frames.items():
        frame.write_parquet(paths[name], metadata={MARKER_KEY: marker}, **options)


def check_marker(paths: Mapping[str, Path]) -> MarkerCheck:
    """Whether the files (by table, or one nested file) carry one marker that matches them all."""
    markers = set()
    for path in paths.values():
        found = pl.read_parquet_metadata(path).get(MARKER_KEY)
        if found is None:
            return MarkerCheck(False, f"{path.name} has no marker")
        markers.add(found)
    if len(markers) != 1:
        return MarkerCheck(False, "the files carry different markers (not written together)")
    try:
        marker = json.loads(markers.pop())
        files = dict(marker.pop("files"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return MarkerCheck(False, "the marker cannot be read")
    if marker != _versions():
        return MarkerCheck(False, f"the marker is of another version ({marker})")
    if set(files) != set(paths):
        return MarkerCheck(False, "the marker names other files than those read")
    for name, path in paths.items():
        digest = data_digest(path)
        if not digest or digest != files[name]:
            return MarkerCheck(False, f"{path.name} does not match its marker (changed)")
    return MarkerCheck(True, "marker matches")


def trusted_tables(tables: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame] | None:
    """What :func:`~fangfan_rules.engines.columnar_validation.validate` returns for certified
    tables, without the row checks: the layout's columns, ``__hrow`` on households and
    ``__hkey`` on child rows. None if a table is not of the layout's dtypes (then validate in
    full)."""
    out = {}
    for t in TABLES:
        frame = tables.get(t)
        if frame is None or dict(frame.schema) != SCHEMAS[t]:
            return None
        frame = frame.select(list(SCHEMAS[t]))
        if t == "households":
            frame = frame.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias("__hrow"))
        out[t] = frame
    keyed = household_keys(out)
    return {
        t: keyed[t].select([*SCHEMAS[t], "__hkey"]) if t in CHILDREN else keyed[t] for t in TABLES
    }


__all__ = [
    "BY_MARKER",
    "FULL",
    "MARKER_KEY",
    "VALIDATE_MODES",
    "MarkerCheck",
    "certified",
    "check_marker",
    "check_mode",
    "data_digest",
    "trusted_tables",
    "write_marked",
]
