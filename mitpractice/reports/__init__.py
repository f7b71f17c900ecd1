"""Reports built from the store, for therapists: the report (:mod:`~mitpractice.reports.report`),
CSV tables (:mod:`~mitpractice.reports.csv`) and an attempt to Praat
(:mod:`~mitpractice.reports.textgrid`). No Qt here; see docs/reports.md."""
