"""The student's tools, shipped in the student bundle's ``tools/``: standard library only, run as scripts.

``student.mk`` (the bundle's Makefile; the repository's Makefile includes it),
``workspace.py`` (the student's working copy ``work/``), ``submit.py``
(``make submit``).
"""
