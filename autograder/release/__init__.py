"""The release stage: everything made from the instructor source for students.

`student_copy` writes ``notebooks/`` (package stubs, student notebooks, via
`notebooks`, and the visible checks' `fingerprints`); `bundle` packs what an
instructor hands out. ``python -m autograder.release`` = ``make release``.
"""

from autograder.release.student_copy import FINGERPRINTS, NOTEBOOKS, PACKAGE, SOLUTIONS, release, release_package, stub_source

__all__ = ["FINGERPRINTS", "NOTEBOOKS", "PACKAGE", "SOLUTIONS", "release", "release_package", "stub_source"]
