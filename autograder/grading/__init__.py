"""The grading stage: one submission in, one result out.

`course` (the course as the grader sees it), `reference`, `compose` (the
package a sandbox child imports), `harness` (functions), `answers` (code
answers), `notebooks` (reading notebooks, untrusted ones included),
`nbgrader_run`, `grade_one` (the unit a batch engine fans out), `batch`.
"""
