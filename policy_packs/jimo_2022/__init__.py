"""即墨区 关于健全完善防止返贫监测预警机制的通知 (即乡振发〔2022〕1号) as a policy pack.

All rules and parameters live in the YAML files beside this module (the warning ledger of 附件2 in
ledger.yaml); see CLAUSES.md for the map from the document's clauses to rule ids and tests.
"""

from pathlib import Path

from fangfan_rules.packs import Pack

pack = Pack.from_directory(Path(__file__).parent)
