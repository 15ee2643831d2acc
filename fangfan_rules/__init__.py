"""fangfan-rules: cited, explainable rules for 防止返贫动态监测和帮扶 (anti-relapse monitoring).

Facts about a rural household go in; each jurisdiction's policy pack answers the same questions
(identification today; elimination, timelines and batch engines build on the same rule values)
with the reasons and the clauses behind them.

>>> from datetime import date
>>> import fangfan_rules as ff
>>> pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=6900)
>>> result = pack.identify(household, as_of=date(2023, 5, 20))  # doctest: +SKIP
>>> print(result.explain("zh"))  # doctest: +SKIP
"""

# Every public name is imported on first use (PEP 562 module ``__getattr__``), from the list in
# ``__init__.pyi``: `import fangfan_rules` must not pay for pandas, polars or pyarrow (hundreds of
# milliseconds) in a program that only validates a household or runs the command line's help.
# The stub is also what type checkers read, so the public API is declared once.
import lazy_loader as _lazy

__getattr__, _, _public = _lazy.attach_stub(__name__, __file__)

__version__ = "0.1.0"
__all__ = [*_public, "__version__"]


def __dir__() -> list[str]:
    return list(__all__)
