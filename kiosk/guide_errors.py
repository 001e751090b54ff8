"""Why a guide database cannot be used (no Qt): raised by the reader and by the structure check."""

from __future__ import annotations


class GuideError(Exception):
    """The guide database cannot be used."""


class GuideNotFoundError(GuideError):
    pass


class GuideCorruptError(GuideError):
    pass


class GuideSchemaError(GuideError):
    pass
