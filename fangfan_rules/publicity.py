"""The village publicity list (村级公示名单) drafted from an evaluation.

A village posts the households proposed for monitoring with 户主, 村, category and the reason —
never an ID number, and the head's name masked as offices do (张* / 欧阳**). fangfan-rules does not
decide who is identified: the list it drafts holds the households its answer *recommends* for the
procedure (``identify`` and ``needs_review``), headed as a draft for the village's 民主评议, and the
officials strike whom they decide against before it is posted.

:func:`publicity_rows` builds the rows; :func:`write_publicity` writes them as XLSX or as a
printable HTML page (A4, Chinese fonts; "print to PDF" in a browser gives the PDF).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from fangfan_rules.errors import FangfanError
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.results import BadRow, Identification, Outcome

if TYPE_CHECKING:
    from fangfan_rules.facts import Household

#: The columns a village posts, in order.
COLUMNS = ("序号", "村", "户主", "拟纳入类别", "主要原因", "依据")
DEFAULT_OUTCOMES = (Outcome.IDENTIFY, Outcome.NEEDS_REVIEW)
TITLE = "拟纳入防止返贫监测对象名单（供村级民主评议，非认定结果）"


class PublicityError(FangfanError):
    """The list cannot be drafted (e.g. a result without its household)."""


def mask_name(name: str | None) -> str:
    """A person's name as offices post it: the surname kept, every other character ``*``
    (张三 → 张*, 欧阳小明 → 欧阳**: a two-character compound surname is kept whole)."""
    if not name or not name.strip():
        return "（户主姓名未记录）"
    text = name.strip()
    keep = 2 if text[:2] in _COMPOUND_SURNAMES and len(text) > 2 else 1
    return text[:keep] + "*" * (len(text) - keep)


_COMPOUND_SURNAMES = frozenset(
    "欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫 宗政 濮阳 "
    "公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马 公西 "
    "颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌 微生 "
    "公户 公玉 公仪 梁丘 公仲 公上 公门 公山 公坚 左丘 公伯 西门 公祖 第五 公乘 贯丘 公皙 南荣 "
    "东里 东宫 仲长 子书 子桑 即墨 达奚 褚师".split()
)


@dataclass(frozen=True)
class PublicityRow:
    number: int
    village: str
    head: str
    category: str
    reason: str
    clauses: str

    def cells(self) -> tuple[str | int, ...]:
        return (self.number, self.village, self.head, self.category, self.reason, self.clauses)


def _head_name(household: Household) -> str | None:
    for member in household.members:
        if member.relation.value == "head":
            return member.name
    return None


def _reason(result: Identification) -> tuple[str, str]:
    """The main reason in Chinese and the clauses behind the answer."""
    reasons = [r for r in result.reasons if r.kind not in ("must_visit", "deadline", "note")]
    text = "；".join(dict.fromkeys(r.text_zh for r in reasons[:2])) or "；".join(
        p.zh for p in result.review_points[:2]
    )
    # "；" between clauses: a clause has its own "、" (一、(一)2), so "、" would run them together.
    clauses = "；".join(dict.fromkeys(r.citation.split(":", 1)[-1] for r in reasons))
    return scrub_id_numbers(text), clauses


def publicity_rows(
    results: Iterable[Identification | BadRow],
    households: Mapping[str, Household] | Sequence[Household],
    *,
    outcomes: Sequence[Outcome] = DEFAULT_OUTCOMES,
) -> list[PublicityRow]:
    """The rows of the draft list: one per household whose answer is one of ``outcomes``, by
    village then household id; every text scrubbed of ID numbers."""
    by_id = households if isinstance(households, Mapping) else {h.id: h for h in households}
    picked = []
    for result in results:
        if isinstance(result, BadRow) or result.outcome not in outcomes:
            continue  # a bad row of the batch is reported by its caller, never listed
        household = by_id.get(result.household_id)
        if household is None:
            raise PublicityError(
                f"no household facts for result {scrub_id_numbers(result.household_id)}"
            )
        picked.append((household.area.village, result.household_id, household, result))
    picked.sort(key=lambda item: (item[0], item[1]))
    rows = []
    for number, (village, _, household, result) in enumerate(picked, start=1):
        reason, clauses = _reason(result)
        category = result.category.zh if result.category else "待研判"
        if result.outcome == Outcome.NEEDS_REVIEW:
            category += "（待研判）" if result.category else ""
        rows.append(
            PublicityRow(
                number=number,
                village=scrub_id_numbers(village),
                head=mask_name(_head_name(household)),
                category=category,
                reason=reason,
                clauses=clauses,
            )
        )
    return rows


def publicity_html(
    rows: Sequence[PublicityRow], *, place: str, as_of: date, pack_title: str
) -> str:
    """A printable page (A4) of the draft list, in Chinese."""
    from fangfan_rules.templating import render

    return render(
        "publicity.html.j2",
        title=TITLE,
        place=scrub_id_numbers(place),
        as_of=as_of,
        pack_title=scrub_id_numbers(pack_title),
        columns=COLUMNS,
        rows=[_posted(r) for r in rows],
    )


def _posted(row: PublicityRow) -> tuple[str | int, ...]:
    """A row's cells as posted: never an ID number, whoever built the row."""
    return tuple(scrub_id_numbers(c) if isinstance(c, str) else c for c in row.cells())


def write_publicity(
    rows: Sequence[PublicityRow],
    path: Path,
    *,
    place: str,
    as_of: date,
    pack_title: str,
    format: str | None = None,
) -> Path:
    """Write the draft list as ``xlsx`` or ``html`` (from the extension unless ``format``)."""
    kind = (format or path.suffix.lstrip(".")).lower()
    if kind in ("html", "htm"):
        path.write_text(
            publicity_html(rows, place=place, as_of=as_of, pack_title=pack_title), encoding="utf-8"
        )
        return path
    if kind == "xlsx":
        from fangfan_rules.io.xlsx import write_table

        heading = scrub_id_numbers(f"{place} {TITLE}（{as_of.isoformat()}，依据：{pack_title}）")
        return write_table(
            path, COLUMNS, (_posted(r) for r in rows), title="公示名单", heading=heading
        )
    raise PublicityError(f"the publicity list is written as .xlsx or .html, not {path.suffix!r}")
