"""Reports built from the store: the therapist's report (:mod:`~mitpractice.reports.report`),
an attempt to Praat (:mod:`~mitpractice.reports.textgrid`), CSV tables
(:mod:`~mitpractice.reports.csv`). No Qt here; see docs/reports.md."""
