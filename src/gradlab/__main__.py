"""Run the gradlab command line: ``python -m gradlab ...``."""

from gradlab.cli import main

raise SystemExit(main())
