"""``python -m analysis`` is the same as the ``coopreport`` command."""

from analysis.cli import main

raise SystemExit(main())
