"""``python -m fangfan_rules.testing [--write] PACK_DIR...``: check packs' fidelity to their
documents (and regenerate the decisions table of their CLAUSES.md with ``--write``)."""

from fangfan_rules.testing.fidelity import main

raise SystemExit(main())
