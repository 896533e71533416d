"""``python -m pbr`` runs the command line."""

import sys

from pbr.cli import main

sys.exit(main())
