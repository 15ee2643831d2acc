"""融安县2022年开展“精准防贫提升行动”工作方案 (融乡村指防〔2022〕1号) as a policy pack.

All rules and parameters live in the YAML files beside this module; see CLAUSES.md for the map
from the document's clauses to rule ids and tests.
"""

from pathlib import Path

from fangfan_rules.packs import Pack

pack = Pack.from_directory(Path(__file__).parent)
