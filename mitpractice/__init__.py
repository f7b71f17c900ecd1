"""mitpractice: Melodic Intonation Therapy practice for people with aphasia, and their therapists."""

__version__ = "0.1.0"
