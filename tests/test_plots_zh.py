"""Issue 13 §5: plots in Chinese — a CJK font the package relies on (the [cjk] extra), one warning
when there is none, every title, axis, legend and label in the chosen language, key-attention
groups by their titles (never ewenki's machine ids), "overdue" with its own colour and legend."""

from __future__ import annotations

import re
import warnings
from datetime import date
from pathlib import Path

import matplotlib
import pytest
from matplotlib.colors import to_hex

import fangfan_rules as ff
from fangfan_rules import analysis as fa
from fangfan_rules.analysis import plots
from fangfan_rules.results import Deadline
from fangfan_rules.rules.parameters import LocalText
from fangfan_rules.timeline import Case, CaseEvent, Step

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_households.jsonl"
AS_OF = {"qianshan_2023": date(2023, 6, 5), "ewenki_2024": date(2024, 6, 5)}
# An English word of two letters or more: what a Chinese plot must not show (pack names, dates,
# numbers and ①-style symbols are not words).
_WORD = re.compile(r"(?<![\w.])[A-Za-z]{2,}(?![\w.])")


def _texts(fig) -> list[str]:
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return [t for t in texts if t.strip()]


def _english_words(fig) -> set[str]:
    words = set()
    for text in _texts(fig):
        for pack in AS_OF:
            text = text.replace(pack, "")
        words |= set(_WORD.findall(text))
    return words


@pytest.fixture(scope="module")
def comparison():
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:60]
    households = [ff.load_household(line) for line in lines]
    return fa.compare(
        households, list(AS_OF), as_of=AS_OF, parameters={"monitoring_income_line": 7000}
    )


def _deadline(status: str, due: date) -> Deadline:
    return Deadline(
        name=f"d_{status}", label=LocalText(zh=f"{status}的期限", en=f"{status} deadline"),
        start=date(2023, 5, 4), days=5, count="working", due=due, status=status,
        citation="qianshan_2023:三、(二)",
    )  # fmt: skip


def test_the_cjk_extra_gives_a_chinese_font():
    family = plots.cjk_font()
    assert family is not None, "install the [cjk] extra: pip install 'fangfan-rules[cjk]'"
    assert "CJK" in family or "WenQuanYi" in family


def test_outcomes_and_groups_are_in_chinese(comparison):
    figs = [fa.plot_outcomes(comparison, lang="zh"), fa.plot_groups(comparison, lang="zh")]
    for fig in figs:
        assert _english_words(fig) == set(), _texts(fig)
    outcomes, groups = (_texts(f) for f in figs)
    assert "各政策包的识别结果" in outcomes and "需研判" in outcomes
    assert any(t.startswith("农户数（共") for t in outcomes)
    assert "各政策包的重点关注农户" in groups
    # ewenki's groups by their titles, never by their machine ids.
    assert "重度残疾人" in groups and not any("severe_disability" in t for t in groups)


def test_english_stays_english_and_ewenki_has_no_raw_ids(comparison):
    texts = _texts(fa.plot_groups(comparison, lang="en"))
    assert "Key-attention groups (重点关注农户) per pack" in texts
    assert "severely disabled person" in texts
    assert not any("severe_disability" in t or "major_illness_self_paid" in t for t in texts)


def test_sweep_in_chinese(comparison):
    households = [ff.load_household(line) for line in SAMPLE.read_text("utf-8").splitlines()[:30]]
    frame = fa.sweep(
        households, ff.load_pack("qianshan_2023"), parameter="monitoring_income_line",
        values=[6000, 8000], as_of=AS_OF["qianshan_2023"],
    )  # fmt: skip
    texts = _texts(fa.plot_sweep(frame, lang="zh"))
    assert "农户数" in texts and "monitoring_income_line取值变化的影响" in texts
    assert "纳入或待研判（识别 + 需研判）" in texts


def test_overdue_has_its_own_colour_and_legend_entry():
    deadlines = [
        _deadline("met", date(2023, 5, 11)),
        _deadline("missed", date(2023, 5, 12)),
        _deadline("overdue", date(2023, 5, 15)),
        _deadline("pending", date(2023, 6, 20)),
    ]
    assert len({plots.STATUS_COLOURS[d.status] for d in deadlines}) == 4
    for lang, overdue, missed in (("zh", "已逾期", "逾期完成"), ("en", "overdue", "missed")):
        fig = fa.plot_deadlines(deadlines, as_of=date(2023, 6, 1), lang=lang)
        legend = fig.axes[0].get_legend()
        entries = {
            t.get_text(): h for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
        }
        assert overdue in entries and missed in entries
        assert to_hex(entries[overdue].get_facecolor()) == plots.STATUS_COLOURS["overdue"]
        assert to_hex(entries[missed].get_facecolor()) == plots.STATUS_COLOURS["missed"]
        bars = {to_hex(p.get_facecolor()) for p in fig.axes[0].patches}
        assert plots.STATUS_COLOURS["overdue"] in bars
    zh = fa.plot_deadlines(deadlines, as_of=date(2023, 6, 1), lang="zh")
    assert _english_words(zh) == set(), _texts(zh)
    assert "办理时限" in _texts(zh) and any("个工作日" in t for t in _texts(zh))


def test_no_cjk_font_warns_once_and_falls_back_to_english(comparison, monkeypatch):
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    plots._warn_no_cjk_font.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = fa.plot_outcomes(comparison, lang="zh")
        fa.plot_groups(comparison, lang="zh")
    found = [w for w in caught if issubclass(w.category, plots.CJKFontWarning)]
    assert len(found) == 1 and "fangfan-rules[cjk]" in str(found[0].message)
    assert "Identification outcome per policy pack" in _texts(fig)
    plots._warn_no_cjk_font.cache_clear()
    with pytest.raises(ValueError, match="lang"):
        fa.plot_outcomes(comparison, lang="fr")


def test_a_deadline_late_only_under_the_packs_reading_says_so_on_its_bar():
    jimo = ff.load_pack("jimo_2022")
    late = Case(
        household_id="H1",
        events=(
            CaseEvent(step=Step.CLUE_RECEIVED, date=date(2022, 4, 7)),
            CaseEvent(step=Step.HOME_VERIFICATION, date=date(2022, 4, 13)),
        ),
    )
    deadlines = jimo.deadlines(late, as_of=date(2022, 4, 13))
    assert any(d.start_is_reading for d in deadlines)
    zh = fa.plot_deadlines(deadlines, as_of=date(2022, 4, 13), lang="zh")
    assert any("逾期完成（起算日为本包解读）" in t for t in _texts(zh)), _texts(zh)
    en = fa.plot_deadlines(deadlines, as_of=date(2022, 4, 13), lang="en")
    assert any("missed (start: the pack's reading)" in t for t in _texts(en)), _texts(en)
