"""Which encoding a CSV file is in, decided by a rule, never a guess.

1. A byte-order mark decides: UTF-16 (``FF FE`` / ``FE FF``) or UTF-8 (``EF BB BF``). After a UTF-8
   BOM the rest must be strict UTF-8 — or, failing that, GB18030: some tools put a UTF-8 BOM in
   front of GBK text ("GBK with BOM"), and then UTF-8 fails on the first Chinese character.
2. Without a BOM the whole file is decoded both as strict UTF-8 and as GB18030 (a superset of
   GBK). If only one succeeds, that is the encoding. Pure ASCII reads the same either way.
3. If both succeed and read differently (non-ASCII bytes that happen to be valid in both), the
   file's own header decides: the encoding under which the mapping's household-key header (户编号)
   appears in the first lines. If it appears under both or neither, the file is refused and the
   caller names the encoding (``encoding=`` / ``--encoding``); nothing is guessed.

A NUL byte without a UTF-16 BOM (UTF-16 saved without a BOM, or not a text file) is refused.
The decision is reported (:attr:`Detected.name`), e.g. ``"gb18030 (after a UTF-8 BOM)"``.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from fangfan_rules.io.sheets.mapping import SpreadsheetError

_CHUNK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16 (little-endian BOM)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16 (big-endian BOM)"),
)


@dataclass(frozen=True)
class Detected:
    """The codec to read with, the BOM bytes to skip, and how the choice was made."""

    codec: str
    skip: int
    name: str


def _decodes(path: Path, codec: str, skip: int) -> bool:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    with path.open("rb") as fh:
        fh.seek(skip)
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _has(path: Path, skip: int, byte: bytes, above: bool = False) -> bool:
    with path.open("rb") as fh:
        fh.seek(skip)
        while chunk := fh.read(_CHUNK):
            if (max(chunk) >= 0x80) if above else (byte in chunk):
                return True
    return False


def _head_has(path: Path, codec: str, skip: int, needle: str, lines: int) -> bool:
    with path.open("rb") as fh:
        fh.seek(skip)
        head = fh.read(64 * 1024)
    text = head.decode(codec, errors="ignore")
    return any(needle in line for line in text.splitlines()[:lines])


def detect_encoding(path: Path, key_header: str, search_lines: int) -> Detected:
    """Decide the encoding of a CSV file by the rule in this module's docstring."""
    with path.open("rb") as fh:
        start = fh.read(4)
    for bom, codec, name in _BOMS:
        if start.startswith(bom):
            if not _decodes(path, codec, len(bom)):
                raise SpreadsheetError(f"{path}: starts with a {name} but is not valid UTF-16")
            return Detected(codec, len(bom), name)
    if start.startswith(codecs.BOM_UTF8):
        skip = len(codecs.BOM_UTF8)
        if _decodes(path, "utf-8", skip):
            return Detected("utf-8", skip, "utf-8 (with BOM)")
        if _decodes(path, "gb18030", skip):
            return Detected("gb18030", skip, "gb18030 (GBK text after a UTF-8 BOM)")
        raise SpreadsheetError(f"{path}: starts with a UTF-8 BOM but is neither UTF-8 nor GBK")
    if _has(path, 0, b"\x00"):
        raise SpreadsheetError(
            f"{path}: contains NUL bytes: UTF-16 without a byte-order mark, or not a text file; "
            "save it as UTF-8, GBK or UTF-16 with a BOM"
        )
    utf8, gb = _decodes(path, "utf-8", 0), _decodes(path, "gb18030", 0)
    if utf8 and not _has(path, 0, b"", above=True):
        return Detected("utf-8", 0, "ascii")
    if utf8 and not gb:
        return Detected("utf-8", 0, "utf-8")
    if gb and not utf8:
        return Detected("gb18030", 0, "gb18030 (GBK)")
    if not utf8 and not gb:
        raise SpreadsheetError(
            f"{path}: neither UTF-8 nor GBK (GB18030); save it as UTF-8, GBK or UTF-16 with a BOM"
        )
    in_utf8 = _head_has(path, "utf-8", 0, key_header, search_lines)
    in_gb = _head_has(path, "gb18030", 0, key_header, search_lines)
    if in_utf8 != in_gb:
        return (
            Detected(
                "utf-8", 0, f"utf-8 (GBK also decodes; the header {key_header} reads in UTF-8)"
            )
            if in_utf8
            else Detected("gb18030", 0, f"gb18030 (UTF-8 also decodes; {key_header} reads in GBK)")
        )
    where = "both readings" if in_utf8 else "neither reading (is this the mapping's file?)"
    raise SpreadsheetError(
        f"{path}: decodes both as UTF-8 and as GBK, differently, and the header {key_header!r} "
        f"appears in {where}; name the encoding (encoding='utf-8' or 'gbk')"
    )
