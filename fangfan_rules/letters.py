"""Written answers (书面告知) to self-applicants found not meeting the identification standard.

jimo_2022 一、(三)2: "对自主申请但不符合认定标准的群众，要主动回访，书面告知其审核结果及原因". The 审核结果
and its 原因 are the town's (一、(三) "镇（街）落实信息调查、核实办理责任"), recorded per warning in the
columns of 附件2 (是否符合认定标准, 不符合认定标准的主要原因, 办结日期). The letter states them as
recorded, never a finding of its own:

- it is written only for a self-application (自主申报) closed by the result's as_of whose
  是否符合认定标准 is recorded as not met; met, or not recorded → :class:`LetterError`;
- the result is the officials': 不符合认定标准;
- the reason is the recorded ``reason_not_met``, verbatim (none recorded → :class:`LetterError`
  naming the field);
- it may add the pack's own comparison of a figure (e.g. the per-capita income against the
  caller-supplied line), labelled as the pack's check, when the pack made it on known values and
  it agrees with the finding (the condition was not met);
- it is dated on the 办结日期 of the application.

Department feeds, the green channel or an open warning are never given as reasons: they are not
grounds of a refusal.

>>> print(written_answer(result, household=household))          # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fangfan_rules.errors import FangfanError
from fangfan_rules.facts import Clue, Household, known_at
from fangfan_rules.idnumber import scrub_id_numbers
from fangfan_rules.results import Check, Identification, RuleTrace
from fangfan_rules.rules.conditions import Compare, Const, IsTrue, Param, operands, walk
from fangfan_rules.rules.rule import Rule, RuleKind
from fangfan_rules.vocabulary import Channel

if TYPE_CHECKING:
    from fangfan_rules.packs.pack import Pack

#: Variables that read the household's risk clues by channel (argument ``channels``): a note over
#: one of them with ``self_application`` is the pack's rule asking for the written answer.
CLUE_VARIABLES = frozenset({"has_clue", "open_clue", "clue_received", "closed_clue_fails_criteria"})
#: Rule kinds whose comparisons of a figure the letter may show as the pack's own check.
_CHECKS = (RuleKind.RISK,)


class LetterError(FangfanError, ValueError):
    """No written answer can be composed for this result.

    ``kind`` tells the cases apart for a batch: ``"not_due"`` (no closed self-application, or one
    found meeting the standard: nothing to write), ``"not_recorded"`` (one is due and the record
    lacks its result or reason: a gap the officials must fill) or ``"unusable"`` (wrong pack,
    household or language, or a pack that asks for no written answer).
    """

    def __init__(
        self,
        message: str,
        *,
        kind: Literal["not_due", "not_recorded", "unusable"] = "unusable",
    ) -> None:
        super().__init__(message)
        self.kind = kind


def _local(citation: str, pack: str) -> str:
    return citation.removeprefix(f"{pack}:")


def letter_rule(pack: Pack) -> Rule | None:
    """The pack's note that reads self-applications to ask for the written answer (None: the
    pack asks for none)."""
    for rule in sorted(pack.rules, key=lambda r: r.id):
        if rule.kind != RuleKind.NOTE:
            continue
        for node in walk(rule.condition):
            ref = node.var if isinstance(node, IsTrue) else None
            if isinstance(node, Compare) and node.right == Const(True):
                ref = node.left
            if ref is None or ref.name not in CLUE_VARIABLES:
                continue
            for name, arg in ref.args:
                value = getattr(arg, "value", ())
                if name == "channels" and Channel.SELF_APPLICATION.value in tuple(value):
                    return rule
    return None


def _path(clue: Clue) -> str:
    return f"clues[{clue.channel.value} {clue.received_on}]"


def _application(result: Identification, household: Household) -> Clue:
    """The self-application the answer is about: the latest one closed by the result's as_of,
    recorded as not meeting the standard, with its reason."""
    hid = scrub_id_numbers(result.household_id)
    if household.id != result.household_id:
        raise LetterError(
            f"the household ({scrub_id_numbers(household.id)}) is not the result's ({hid})"
        )
    view, _ = known_at(household, result.as_of)
    applications = [c for c in view.clues if c.channel == Channel.SELF_APPLICATION]
    if not applications:
        raise LetterError(
            f"household {hid}: no self-application (自主申报) on record by {result.as_of}; "
            "the written answer of the document is for self-applicants",
            kind="not_due",
        )
    closed = [c for c in applications if c.closed_on is not None]
    if not closed:
        raise LetterError(
            f"household {hid}: no self-application closed (办结) by {result.as_of}: the 审核结果 "
            "is not known yet",
            kind="not_due",
        )
    clue = max(closed, key=lambda c: (c.closed_on, c.received_on))
    if clue.meets_criteria is None:
        raise LetterError(
            f"household {hid}: {_path(clue)}.meets_criteria (是否符合认定标准) is not recorded: "
            "the written answer states the officials' recorded result",
            kind="not_recorded",
        )
    if clue.meets_criteria:
        raise LetterError(
            f"household {hid}: {_path(clue)} is recorded as meeting the identification standard; "
            "the written answer is for a self-applicant found not meeting it",
            kind="not_due",
        )
    if not (clue.reason_not_met or "").strip():
        raise LetterError(
            f"household {hid}: {_path(clue)}.reason_not_met (不符合认定标准的主要原因) is not "
            "recorded: the written answer states the officials' recorded reason",
            kind="not_recorded",
        )
    return clue


def _pack_checks(result: Identification, pack: Pack) -> list[tuple[Rule, list[Check]]]:
    """The pack's own comparisons of a figure that were made on known values and not met."""
    by_id = {r.id: r for r in pack.rules}
    out: list[tuple[Rule, list[Check]]] = []
    for trace in result.trace.rules:
        rule = by_id.get(trace.rule_id)
        if rule is None:
            raise LetterError(f"rule {trace.rule_id} of the result is not in pack {pack.name}")
        if not _is_figure_check(rule, trace):
            continue
        out.append((rule, list(trace.checks)))
    return out


def _is_figure_check(rule: Rule, trace: RuleTrace) -> bool:
    return (
        rule.kind in _CHECKS
        and trace.status == "not_fired"
        and bool(trace.checks)
        and all(c.result == "false" for c in trace.checks)
        and any(isinstance(o, Param) for o in operands(rule.condition))
    )


def _figures(rules: list[Rule]) -> set[str]:
    return {o.name for r in rules for o in operands(r.condition) if isinstance(o, Param)}


@dataclass(frozen=True)
class WrittenAnswer:
    """One 书面告知, its parts kept apart so it can be printed as text, an A4 page or a row of a
    workbook (:mod:`fangfan_rules.cli.commands.documents`). Every text is scrubbed of ID numbers;
    ``head`` is the 户主's name masked as offices post it (张*)."""

    lang: str
    household_id: str
    village: str
    head: str
    received_on: date
    closed_on: date
    #: 《title》（number） and the clause asking for the answer.
    document: str
    clause: str
    #: The officials' recorded reason (不符合认定标准的主要原因), verbatim.
    reason: str
    as_of: date
    #: The pack's own comparisons (one entry per rule: its heading and the checks' sentences).
    checks: tuple[tuple[str, tuple[str, ...]], ...]
    #: The figures those comparisons applied, each as one line.
    figures: tuple[str, ...]
    #: Pack name, version and content hash.
    pack: str

    def text(self) -> str:
        """The answer as plain text (what :func:`written_answer` returns)."""
        zh = self.lang == "zh"
        if zh:
            lines = [
                "书面告知",
                "",
                f"户编号：{self.household_id}",
                f"办结日期：{self.closed_on.isoformat()}",
                f"依据文件：{self.document} {self.clause}",
                "",
                self.statement(),
                "",
                f"原因：{self.reason}",
            ]
        else:
            lines = [
                "Written notice of the review result",
                "",
                f"Household: {self.household_id}",
                f"Closed on: {self.closed_on.isoformat()}",
                f"Basis: {self.document}, clause {self.clause}",
                "",
                self.statement(),
                "",
                f"Reason (as recorded by the officials): {self.reason}",
            ]
        if self.checks:
            lines += ["", self.checks_heading()]
            for heading, sentences in self.checks:
                lines.append(f"   - {heading}")
                lines += [f"     {s}" for s in sentences]
            if self.figures:
                lines.append("   所用标准数值：" if zh else "   Figures applied:")
            lines += [f"     {f}" for f in self.figures]
        lines += ["", self.pack]
        return "\n".join(lines) + "\n"

    def salutation(self) -> str:
        """The opening line of a printed letter (the head's name masked)."""
        return f"{self.head}户：" if self.lang == "zh" else f"To the household of {self.head}:"

    def statement(self) -> str:
        """The sentence giving the result."""
        if self.lang == "zh":
            return (
                f"您户于{self.received_on.isoformat()}自主申报的防止返贫监测帮扶申请，经核实，"
                "审核结果为：不符合认定标准。"
            )
        return (
            "Your household applied for anti-relapse monitoring and assistance on "
            f"{self.received_on.isoformat()}. After verification, the result is: the "
            "identification standard is not met."
        )

    def checks_heading(self) -> str:
        """The heading that labels the pack's comparisons as the tool's, for reference."""
        if self.lang == "zh":
            return f"本工具于{self.as_of.isoformat()}按本包规则所作的核对（供参考）："
        return f"The check made by this tool's rules on {self.as_of.isoformat()} (for reference):"


def answer(
    result: Identification,
    *,
    household: Household,
    lang: str = "zh",
    pack: Pack | None = None,
) -> WrittenAnswer:
    """The 书面告知 to a self-applicant found not meeting the identification standard, in parts.

    ``household`` is the household of ``result`` (its facts as known on the result's as_of give the
    application, its recorded result, reason and 办结日期). ``pack`` defaults to the installed pack
    named in the result and must have the result's version. Raises :class:`LetterError` when no
    such answer is due (no closed self-application, its result met; ``due`` is False) or when one
    is due and the record cannot give it (result or reason not recorded; ``due`` is True).
    """
    if lang not in ("zh", "en"):
        raise LetterError(f"lang must be 'zh' or 'en', not {lang!r}")
    hid = scrub_id_numbers(result.household_id)
    if pack is None:
        from fangfan_rules.packs import load_pack

        pack = load_pack(result.pack)
    if pack.name != result.pack or pack.version != result.pack_version:
        raise LetterError(
            f"household {hid}: the result comes from {result.pack} {result.pack_version}, "
            f"not {pack.name} {pack.version}"
        )
    basis = _basis(pack)
    clue = _application(result, household)
    return _compose(result, household, pack, clue, basis, _pack_checks(result, pack), lang)


def _basis(pack: Pack) -> Rule:
    basis = letter_rule(pack)
    if basis is None:
        raise LetterError(
            f"pack {pack.name} asks for no written answer (no rule reads self-applications "
            "found not meeting the standard)"
        )
    return basis


def check_asks_for_answers(pack: Pack) -> None:
    """Raise :class:`LetterError` unless ``pack`` asks for written answers."""
    _basis(pack)


def written_answer(
    result: Identification,
    *,
    household: Household,
    lang: str = "zh",
    pack: Pack | None = None,
) -> str:
    """The text of the 书面告知 to a self-applicant found not meeting the identification standard
    (:func:`answer` as plain text).

    ``household`` is the household of ``result`` (its facts as known on the result's as_of give the
    application, its recorded result, reason and 办结日期). ``pack`` defaults to the installed pack
    named in the result and must have the result's version. Raises :class:`LetterError` when no
    such answer is due (no closed self-application, its result met or not recorded) or when the
    recorded reason is missing.
    """
    return scrub_id_numbers(answer(result, household=household, lang=lang, pack=pack).text())


def _compose(
    result: Identification,
    household: Household,
    pack: Pack,
    clue: Clue,
    basis: Rule,
    checks: list[tuple[Rule, list[Check]]],
    lang: str,
) -> WrittenAnswer:
    zh = lang == "zh"
    doc = pack.document
    number = (
        f"（{doc.number}）" if zh and doc.number else (f" ({doc.number})" if doc.number else "")
    )
    headed: list[tuple[str, tuple[str, ...]]] = []
    for rule, rule_checks in checks:
        where = _local(rule.citation, pack.name)
        title = rule.title.zh if zh else rule.title.en
        headed.append(
            (
                f"{title}〔{where}〕" if zh else f"{title} [{where}]",
                tuple(scrub_id_numbers(c.text_zh if zh else c.text_en) for c in rule_checks),
            )
        )
    wanted = _figures([rule for rule, _ in checks])
    figures = []
    for p in result.trace.parameters:
        if not (p.stated and p.name in wanted):
            continue
        source = (
            ("调用方提供" if zh else "supplied by the caller")
            if p.source == "caller"
            else _local(p.citation, pack.name)
        )
        description = pack.parameters[p.name].description if p.name in pack.parameters else None
        label = (description.zh if zh else description.en) if description else p.name
        figures.append(
            f"{label}：{p.text(lang)}（{source}）" if zh else f"{label}: {p.text(lang)} ({source})"
        )
    assert clue.closed_on is not None  # _application picks closed applications only
    return WrittenAnswer(
        lang=lang,
        household_id=scrub_id_numbers(result.household_id),
        village=household.area.village,
        head=_head(household),
        received_on=clue.received_on,
        closed_on=clue.closed_on,
        document=f"《{doc.title}》{number}" if zh else f"{doc.title}{number}",
        clause=_local(basis.citation, pack.name),
        reason=scrub_id_numbers((clue.reason_not_met or "").strip()),
        as_of=result.as_of,
        checks=tuple(headed),
        figures=tuple(figures),
        pack=(
            f"{pack.name} {result.pack_version}（{result.pack_hash}）"
            if zh
            else f"{pack.name} {result.pack_version} ({result.pack_hash})"
        ),
    )


#: Headings of the printed page and the workbook, by language.
WORDS = {
    "zh": {
        "title": "书面告知",
        "village": "村",
        "head": "户主",
        "household": "户编号",
        "received_on": "申报日期",
        "closed_on": "办结日期",
        "result": "审核结果",
        "basis": "依据文件",
        "reason": "原因：",
        "checks": "本工具核对（供参考）",
        "figures": "所用标准数值：",
        "sign": "镇（街道）（盖章）",
        "date": "年　　月　　日",
        "none": "本次评估无应书面告知的自主申报农户。",
        "not_met": "不符合认定标准",
        "sheet": "书面告知",
        "number": "序号",
    },
    "en": {
        "title": "Written notice of the review result",
        "village": "Village",
        "head": "Head",
        "household": "Household",
        "received_on": "Applied on",
        "closed_on": "Closed on",
        "result": "Result",
        "basis": "Basis",
        "reason": "Reason (as recorded by the officials): ",
        "checks": "This tool's check (for reference)",
        "figures": "Figures applied: ",
        "sign": "Town (street) office (seal)",
        "date": "Date:",
        "none": "No self-applicant of this evaluation is due a written notice.",
        "not_met": "identification standard not met",
        "sheet": "Written notices",
        "number": "No.",
    },
}


def letters_html(answers: Sequence[WrittenAnswer], *, lang: str = "zh") -> str:
    """A printable page (A4, one letter a sheet; "print to PDF" in a browser gives the PDF)."""
    from fangfan_rules.templating import render

    words = WORDS[lang]
    return scrub_id_numbers(
        render("letters.html.j2", title=words["title"], words=words, answers=answers)
    )


def _row(number: int, a: WrittenAnswer) -> tuple[str | int, ...]:
    joiner = "；" if a.lang == "zh" else "; "
    checks = joiner.join(
        f"{heading}{'：' if a.lang == 'zh' else ': '}{' '.join(sentences)}"
        for heading, sentences in a.checks
    )
    return (
        number,
        a.village,
        a.head,
        a.household_id,
        a.received_on.isoformat(),
        a.closed_on.isoformat(),
        WORDS[a.lang]["not_met"],
        a.reason,
        f"{a.document} {a.clause}",
        joiner.join(filter(None, [checks, *a.figures])),
    )


def write_letters(
    answers: Sequence[WrittenAnswer], path: Path, *, lang: str = "zh", format: str | None = None
) -> Path:
    """Write the answers as ``xlsx`` (one row each, for the ledger) or ``html`` (one printable
    letter a page), by ``format`` or else the extension of ``path``."""
    kind = "." + (format or path.suffix.lstrip(".")).lower()
    words = WORDS[lang]
    if kind in (".html", ".htm"):
        path.write_text(letters_html(answers, lang=lang), encoding="utf-8")
        return path
    if kind == ".xlsx":
        from fangfan_rules.io.xlsx import write_table

        keys = ("number", "village", "head", "household", "received_on", "closed_on", "result")
        columns = [words[k] for k in keys] + [
            words["reason"].rstrip("：: "),
            words["basis"],
            words["checks"],
        ]
        rows = (_row(i, a) for i, a in enumerate(answers, start=1))
        return write_table(path, columns, rows, title=words["sheet"], heading=words["title"])
    raise LetterError(f"written answers are written as .xlsx or .html, not {path.suffix!r}")


def _head(household: Household) -> str:
    from fangfan_rules.publicity import mask_name

    for member in household.members:
        if member.relation.value == "head":
            return mask_name(member.name)
    return mask_name(None)


__all__ = [
    "CLUE_VARIABLES",
    "LetterError",
    "WrittenAnswer",
    "answer",
    "check_asks_for_answers",
    "letter_rule",
    "letters_html",
    "write_letters",
    "written_answer",
]
