"""The windows: the patient's practice window (:mod:`~mitpractice.gui.practice`) and the
therapist's workspace (:mod:`~mitpractice.gui.therapist`), over shared widgets
(:mod:`~mitpractice.gui.widgets`). Only this package imports Qt; it calls the same core
functions as the command line (store, synth, pitch, scoring)."""
