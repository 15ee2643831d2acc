"""One module per command group; each defines ``COMMANDS`` (the click commands it adds).

``packs`` (packs, describe, diff, schema), ``evaluate`` (evaluate, explain), ``compare``
(compare, sweep), ``eliminate``, ``due``. A new group — e.g. a ``test`` case runner or an
``import`` command — is a new module here defining ``COMMANDS``; the root finds it.
"""
