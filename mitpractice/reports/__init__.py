"""Reports of the stored attempts for therapists: CSV tables (more to come: PDF, TextGrid).
No Qt here."""
