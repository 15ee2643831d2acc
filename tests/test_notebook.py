"""examples/compare_regions.ipynb executes, and the copy in the repository comes from a real run.

The notebook is executed with nbclient on a kernel of the interpreter running the tests (a
kernelspec written to a temporary directory points at ``sys.executable``), so it works in the
fresh virtual environment ``.ci/run`` creates (ipykernel comes with the ``test`` extra) whatever
other Jupyter kernels the machine has.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOK = EXAMPLES / "compare_regions.ipynb"


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebook", EXAMPLES / "build_notebook.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_repository_notebook_has_outputs_from_a_real_run():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the notebook has no code cells"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), f"not executed top to bottom: {counts}"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4, "the plots (outcomes, groups, sweep, deadlines) have no output"
    # The cells in the repository are the ones the build script writes.
    assert [c.source for c in nb.cells] == [c.source for c in _builder().build().cells]


def test_notebook_executes(tmp_path):
    builder = _builder()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    executed = builder.execute(nb, cwd=EXAMPLES, timeout=120)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4
    nbformat.write(executed, tmp_path / "executed.ipynb")
