"""Every request body has a size limit, not only multipart ones (issue 11, R79).

Werkzeug applies MAX_FORM_MEMORY_SIZE to each text part of a multipart body, but (since 3.1.9)
not to an URL-encoded body, which it reads whole: only MAX_CONTENT_LENGTH, sized for a 5 MB
roll file, would stop a 2 MB form field. Only the roll import sends multipart, so every other
body is held to the form limit; a larger one is refused with 413 before anything reads it.
"""

from flask import Request, current_app


class SizeLimitedRequest(Request):
    """A request whose non-multipart body may be at most MAX_FORM_MEMORY_SIZE bytes."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self.mimetype == "multipart/form-data" or not current_app:
            return limit
        form_limit: int | None = current_app.config["MAX_FORM_MEMORY_SIZE"]
        if limit is None or form_limit is None:
            return limit if form_limit is None else form_limit
        return min(limit, form_limit)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
