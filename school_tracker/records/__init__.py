"""The record framework every feature uses.

Versioned edits, record history, save-or-refuse, priority links, pickers, the pupil timeline and
home panels.
"""
