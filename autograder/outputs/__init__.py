"""What grading produces for instructors and students: intake, gradebook, CSV, feedback, reports, similarity.

`collect` (zips in), `merge` (results into the gradebook), `export`
(``grades.csv``), `feedback` (a page per student), `report`, `similarity`.
"""
