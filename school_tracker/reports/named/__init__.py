"""The leaders' named export of every record, streamed."""
