"""What `import fangfan_rules` costs and promises: the public names, and no heavy dependency until a
feature that needs it is used (the timing itself is a benchmark: benchmarks/import_time.py).

Each check runs in a fresh interpreter: this test process has long imported everything."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import fangfan_rules as ff
from fangfan_rules.engines import durable_backend
from fangfan_rules.errors import FangfanError, MissingExtraError
from tests import mini_pack
from tests.helpers import household, requires_durable

ROOT = Path(__file__).resolve().parents[1]
#: Libraries that cost tens to hundreds of milliseconds to import, or are optional extras.
HEAVY = ("pandas", "polars", "pyarrow", "numpy", "matplotlib", "hypothesis", "durable", "openpyxl")


def loaded_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_import_loads_no_heavy_dependency():
    loaded = loaded_after("import fangfan_rules")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    # Not even the fact models: they are imported with the first name that needs them.
    assert "pydantic" not in loaded


def test_validating_a_household_needs_no_dataframe_library():
    loaded = loaded_after(
        "from fangfan_rules import load_household, mask_id_number\n"
        "from tests.helpers import household\n"
        "household()\n"
        "mask_id_number('11010519491231002X')"
    )
    assert "pydantic" in loaded  # the import above really happened
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_every_public_name_imports():
    """`from fangfan_rules import X` works for every X of __all__, in a fresh interpreter."""
    names = ", ".join(n for n in ff.__all__ if n != "__version__")
    loaded = loaded_after(f"from fangfan_rules import {names}")
    assert "fangfan_rules" in loaded


def test_public_names_are_the_stubs_and_resolve():
    stub = ast.parse((ROOT / "fangfan_rules" / "__init__.pyi").read_text(encoding="utf-8"))
    imported = {
        alias.name for node in stub.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    declared = next(
        ast.literal_eval(node.value)
        for node in stub.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
    )
    # The stub's __all__ lists exactly what it imports (plus the version), and so does the package.
    assert set(declared) == imported | {"__version__"}
    assert set(ff.__all__) == set(declared)
    assert set(dir(ff)) >= set(declared)
    for name in imported:
        assert getattr(ff, name) is not None, name
    assert ff.Household is ff.facts.Household  # the object itself, not a copy
    with pytest.raises(AttributeError):
        ff.no_such_name  # noqa: B018


def test_missing_extra_is_a_library_error_naming_the_extra():
    error = MissingExtraError("plots (matplotlib)", "plot")
    assert isinstance(error, FangfanError) and not isinstance(error, ImportError)
    assert (
        str(error) == "plots (matplotlib) needs the 'plot' extra: pip install 'fangfan-rules[plot]'"
    )
    assert error.extra == "plot"


def test_strategies_without_hypothesis_name_the_extra():
    """Blocking the import (sys.modules entry None) is what a machine without hypothesis sees."""
    probe = (
        "import sys\n"
        "sys.modules['hypothesis'] = None\n"
        "from fangfan_rules.errors import MissingExtraError\n"
        "try:\n"
        "    import fangfan_rules.strategies\n"
        "except MissingExtraError as exc:\n"
        "    print(type(exc).__name__, exc.extra, exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.startswith("MissingExtraError hypothesis ")
    assert "pip install 'fangfan-rules[hypothesis]'" in done.stdout


def test_durable_engine_without_the_extra(tmp_path, monkeypatch):
    pack = ff.Pack.from_directory(mini_pack.write_pack(tmp_path / "mini"))
    monkeypatch.setattr(durable_backend, "_IMPORT_ERROR", ImportError("No module named 'durable'"))
    with pytest.raises(durable_backend.BackendUnavailable) as caught:
        pack.identify_frame([household()], as_of=date(2024, 6, 1), engine="durable")
    error = caught.value
    assert isinstance(error, MissingExtraError) and not isinstance(error, ImportError)
    assert error.extra == "durable"
    assert "pip install 'fangfan-rules[durable]'" in str(error)
    assert "No module named 'durable'" in str(error)
    if sys.version_info >= (3, 13):  # the extra cannot help there: say what to use instead
        assert "does not import on Python 3.13+: use engine='native' or 'vectorized'" in str(error)
    else:
        assert "a C compiler is needed" in str(error)


@requires_durable
def test_durable_backend_is_installed_where_it_can_be():
    """The [test] extra installs durable-rules below Python 3.13: its tests must run, not skip."""
    assert durable_backend.available(), durable_backend._IMPORT_ERROR


def test_wheel_smoke_test_fails_when_a_pack_file_is_missing(tmp_path):
    """.ci/smoke_wheel.py (run by .ci/package against the installed wheel) compares the installed
    packages with the source tree file by file: a pack file left out of the wheel fails CI."""
    spec = importlib.util.spec_from_file_location("smoke_wheel", ROOT / ".ci" / "smoke_wheel.py")
    smoke = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(smoke)
    source, installed = tmp_path / "src", tmp_path / "site"
    for tree in (source, installed):
        (tree / "policy_packs" / "mini").mkdir(parents=True)
        (tree / "policy_packs" / "mini" / "rules.yaml").write_text("rules: []\n")
    (source / "policy_packs" / "mini" / "CLAUSES.md").write_text("# clauses\n")
    with pytest.raises(SystemExit, match=r"not in the wheel: \['policy_packs/mini/CLAUSES.md'\]"):
        smoke.check_files(source, {"policy_packs": installed / "policy_packs"})
    (installed / "policy_packs" / "mini" / "CLAUSES.md").write_text("# clauses\n")
    assert smoke.check_files(source, {"policy_packs": installed / "policy_packs"}) == 2
