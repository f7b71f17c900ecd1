"""The Qt side of mitpractice: the patient's practice window, the therapist's workspace and
the widgets they share. Only this package imports Qt."""
