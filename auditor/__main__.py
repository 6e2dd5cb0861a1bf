"""``python -m auditor``: the ``budget-audit`` command, for when its script is not on the PATH
(a Windows user whose Python Scripts folder is not)."""

import sys

from auditor.cli import main

sys.exit(main())
