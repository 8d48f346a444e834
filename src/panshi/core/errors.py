"""Typed errors shared by the domains."""

from __future__ import annotations


class PanshiError(Exception):
    """Base of the platform's own errors; `message` is for the person who must act on it."""

    code = "error"
    status_code = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(PanshiError):
    code = "not_found"
    status_code = 404


class NotAuthorised(PanshiError):
    code = "not_authorised"
    status_code = 403


class NotAuthenticated(PanshiError):
    code = "not_authenticated"
    status_code = 401


class UnreadableFile(PanshiError):
    """The file as a whole cannot be read (encoding, format, header); nothing was stored."""

    code = "unreadable_file"
    status_code = 422


class FileTooLarge(PanshiError):
    code = "file_too_large"
    status_code = 413


class UnknownRecordType(PanshiError):
    code = "unknown_record_type"
    status_code = 422


class RateLimited(PanshiError):
    """Too many requests from one address; `retry_after` seconds until the next is accepted."""

    code = "rate_limited"
    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CsrfRejected(PanshiError):
    code = "csrf_rejected"
    status_code = 403
