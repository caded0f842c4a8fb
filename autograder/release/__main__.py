"""``python -m autograder.release`` (``make release``): regenerate ``notebooks/`` from ``solutions/``."""

import sys

from autograder.release.student_copy import main

sys.exit(main())
