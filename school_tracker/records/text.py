"""Text rules shared by forms and services, so services need not import form classes."""


def has_control_characters(value: str, *, allow_newlines: bool) -> bool:
    """True for NUL and other C0 controls (TAB/CR/LF allowed in multi-line text)."""
    allowed = {"\t", "\n", "\r"} if allow_newlines else set()
    return any((ord(ch) < 32 or ord(ch) == 127) and ch not in allowed for ch in value)
