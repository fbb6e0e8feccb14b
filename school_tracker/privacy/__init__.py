"""Privacy and retention: data classification, small-number suppression, retention, backups."""
