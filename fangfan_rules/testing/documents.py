"""A pack's source document as text a check can search: passages, clauses and figures.

Three questions a fidelity check asks of a document, answered here once:

- **Is this passage verbatim?** :func:`normalise` removes whitespace and folds full-width forms
  and quotation marks (``（`` → ``(``, ``，`` → ``,``, ``“`` → ``"``) so that a quote copied from
  the document matches however it was laid out; ``…`` in a quote joins passages that appear in
  order (:func:`find_passage`).
- **Which text does a citation point to?** :class:`Document` splits the text at its headings
  (``一、`` / ``(一)`` / ``1.`` / ``(1)`` / ``①`` and ``附件N``) so that ``一、(一)1.(2)⑦`` resolves
  to the words of that clause (:meth:`Document.clause`).
- **Which figures does a passage print?** :func:`figures` reads Arabic and Chinese numerals
  (``8300``, ``1万``, ``一万``, ``两``, ``20%``) and :func:`dates_printed` the dates
  (``2023年5月1日``, ``5月10日``) so that a parameter's value can be found in its own quote.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

#: Quotation marks and dashes folded to one form each (NFKC leaves them apart).
_FOLD = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "〈": "<",
        "〉": ">",
        "《": "<",
        "》": ">",
        "—": "-",
        "–": "-",
        "－": "-",
        "〜": "~",
        "～": "~",
        "。": ".",
        "、": "、",
    }
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ELLIPSIS = re.compile(r"(?:…+|\.{3,})")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """``text`` without whitespace, full-width forms folded (NFKC) and quotation marks unified.

    Circled numbers (①…⑳) are kept: they number items in the documents, and NFKC would turn
    them into plain digits.
    """
    folded = "".join(c if c in _CIRCLED else unicodedata.normalize("NFKC", c) for c in text)
    return _SPACE.sub("", folded.translate(_FOLD))


def find_passage(quote: str, text: str) -> str | None:
    """None when ``quote`` is verbatim in ``text`` (both normalised; ``…`` joins passages that
    appear in this order); otherwise the first part that was not found."""
    haystack = normalise(text)
    position = 0
    for part in _ELLIPSIS.split(normalise(quote)):
        if not part:
            continue
        found = haystack.find(part, position)
        if found < 0:
            return part
        position = found + len(part)
    return None


def nearest(part: str, text: str) -> str:
    """The passage of ``text`` most like ``part`` (to show next to a quote that is not verbatim)."""
    haystack = normalise(text)
    size = len(part) + max(2, len(part) // 3)
    step = 1 if len(haystack) < 50_000 else max(size // 4, 1)
    best, best_ratio = "", -1.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(part)
    for start in range(0, max(len(haystack) - size, 0) + 1, step):
        window = haystack[start : start + size]
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            blocks = [b for b in matcher.get_matching_blocks() if b.size]
            best_ratio = ratio
            best = window[blocks[0].a : blocks[-1].a + blocks[-1].size] if blocks else window
    return best


# -- clauses ---------------------------------------------------------------------------------

_CN = "一二三四五六七八九十"
#: Heading patterns on a normalised line, by level.
_HEADINGS = (
    (1, re.compile(rf"^([{_CN}]+)、")),
    (2, re.compile(rf"^\(([{_CN}]+)\)")),
    (3, re.compile(r"^(\d+)\.(?!\d)")),
    (4, re.compile(r"^\((\d+)\)")),
)
_ATTACHMENT = re.compile(r"^附件(\d+)$")
_ATTACHMENT_LIST = re.compile(r"^附件[:：]")
#: One part of a citation, in order: 一、 / (一) / 1. or 1 / (1) / ①.
_CITATION_PART = re.compile(
    rf"(?P<top>[{_CN}]+)、|\((?P<paren>[{_CN}]+)\)|\((?P<pnum>\d+)\)|(?P<num>\d+)\.?"
    rf"|(?P<circ>[{_CIRCLED}])|(?P<ordinal>[{_CN}]是)"
)


@dataclass
class Document:
    """A document's text, split into the clauses its headings number."""

    name: str
    text: str
    #: normalised text of every clause, keyed by its path (``("一", "(一)", "1", "(2)")``)
    sections: dict[tuple[str, ...], str] = field(default_factory=dict)
    #: text before the first numbered heading (the cover notice, 通知)
    preamble: str = ""

    @classmethod
    def read(cls, path: Path | str) -> Document:
        path = Path(path)
        return cls.parse(path.name, path.read_text(encoding="utf-8"))

    @classmethod
    def parse(cls, name: str, text: str) -> Document:
        doc = cls(name=name, text=text)
        path: list[str] = []
        levels: list[int] = []
        preamble: list[str] = []
        in_body = False
        for raw in text.splitlines():
            line = normalise(raw)
            if not line:
                continue
            attachment = _ATTACHMENT.match(line)
            if attachment:
                path, levels = [f"附件{attachment.group(1)}"], [1]
                doc.sections.setdefault(tuple(path), "")
                continue
            if _ATTACHMENT_LIST.match(line):
                if not in_body:
                    preamble.append(line)
                path, levels = ["附件"], [1]
                line = line[3:]
            heading = _heading(line)
            if heading is not None and heading[0] == 1:
                in_body = True
            if not in_body:
                preamble.append(line)
            in_attachments = bool(path) and path[0].startswith("附件")
            if heading is not None and in_attachments and heading[0] == 3:
                # "附件：1. … 2. …": the numbered items of the list are 附件1, 附件2.
                path, levels = [f"附件{heading[1]}"], [1]
            elif heading is not None and (heading[0] == 1 or not in_attachments):
                level, key = heading
                if in_attachments:
                    path, levels = [], []
                while levels and levels[-1] >= level:
                    levels.pop()
                    path.pop()
                path.append(key)
                levels.append(level)
            if not path:
                continue
            for depth in range(1, len(path) + 1):
                key_path = tuple(path[:depth])
                doc.sections[key_path] = doc.sections.get(key_path, "") + line
        doc.preamble = "".join(preamble)
        return doc

    def clause(self, citation: str) -> str | None:
        """The normalised text of the clause ``citation`` names (None if it does not resolve).

        ``citation`` is written as the packs cite (``一、(一)1.(2)⑦``, ``二、(三)``, ``附件1 医保局``,
        ``通知`` / ``序言`` for the text before the first heading); circled numbers (``①``) and
        ordinals (``一是``) select one item of their clause.
        """
        text = normalise(citation)
        if text in ("通知", "前言", "序言"):
            return self.preamble or None
        attachment = re.match(r"^附件(\d+)(.*)$", text)
        if attachment:
            body = self.sections.get((f"附件{attachment.group(1)}",))
            return body or None
        path: list[str] = []
        circled: str | None = None
        position = 0
        while position < len(text):
            match = _CITATION_PART.match(text, position)
            if not match:
                return None
            position = match.end()
            if match["top"]:
                path.append(match["top"])
            elif match["paren"]:
                path.append(f"({match['paren']})")
            elif match["pnum"]:
                path.append(f"({match['pnum']})")
            elif match["num"]:
                path.append(match["num"])
            elif match["circ"]:
                circled = match["circ"]
            elif match["ordinal"]:
                circled = match["ordinal"]
        body = self.sections.get(tuple(path))
        if body is None:
            return None
        if circled is None:
            return body
        # An inline item: ① … up to the next circled number, 一是 … up to 二是 (or the clause's end).
        start = body.find(circled)
        if start < 0:
            return None
        markers = _CIRCLED if circled in _CIRCLED else [f"{c}是" for c in _CN]
        following = [body.find(m, start + 1) for m in markers if body.find(m, start + 1) > 0]
        return body[start : min(following)] if following else body[start:]

    def locate(self, passage: str) -> list[str]:
        """The narrowest clauses (as citations) whose text holds ``passage`` verbatim."""
        found = [key for key, body in self.sections.items() if find_passage(passage, body) is None]
        narrowest = [k for k in found if not any(o != k and o[: len(k)] == k for o in found)]
        return [_citation(k) for k in sorted(narrowest)]


def _heading(line: str) -> tuple[int, str] | None:
    for level, pattern in _HEADINGS:
        match = pattern.match(line)
        if match:
            key = match.group(1)
            return level, f"({key})" if level in (2, 4) else key
    return None


def _citation(path: tuple[str, ...]) -> str:
    out = ""
    for part in path:
        if part.startswith("(") or part.startswith("附件"):
            out += part
        elif part[0] in _CN:
            out += f"{part}、"
        else:
            out += f"{part}."
    return out.rstrip(".")


# -- figures ---------------------------------------------------------------------------------

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
_ARABIC = re.compile(r"(\d+(?:\.\d+)?)(万|千)?")
_CHINESE = re.compile(r"[零〇一二两三四五六七八九十百千万]+")


def _chinese_number(text: str) -> int | None:
    total, section, digit = 0, 0, None
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char == "万":
            section = (section + (digit or 0)) or 1
            total += section * 10_000
            section, digit = 0, None
        else:
            section += (digit if digit is not None else 1) * _UNITS[char]
            digit = None
    return total + section + (digit or 0)


def figures(text: str) -> set[Decimal]:
    """Every number ``text`` prints, Arabic (``8300``, ``1万``, ``20%``) or Chinese (``一万``)."""
    flat = normalise(text)
    out: set[Decimal] = set()
    for match in _ARABIC.finditer(flat):
        value = Decimal(match.group(1))
        out.add(value)
        if match.group(2):
            out.add(value * (10_000 if match.group(2) == "万" else 1000))
    for match in _CHINESE.finditer(flat):
        number = _chinese_number(match.group(0))
        if number is not None:
            out.add(Decimal(number))
    return out


_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


def dates_printed(text: str) -> list[tuple[int | None, int, int]]:
    """The dates ``text`` prints as (year or None, month, day): ``2023年5月1日``, ``5月10日``."""
    return [(int(y) if y else None, int(m), int(d)) for y, m, d in _DATE.findall(normalise(text))]


def date_printed(day: date, text: str, *, year: int | None = None) -> bool:
    """Whether ``text`` prints ``day`` (a date without a year counts when ``year`` is its year)."""
    for y, m, d in dates_printed(text):
        if (m, d) == (day.month, day.day) and (y or year) == day.year:
            return True
    return False
