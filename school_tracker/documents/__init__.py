"""Printable documents (PDF) rendered from Jinja templates; shared by every feature."""
