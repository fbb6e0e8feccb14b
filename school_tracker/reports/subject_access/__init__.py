"""One pupil's whole file: the subject-access export and the transfer pack."""
