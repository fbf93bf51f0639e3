"""The errors the core raises for bad input: each carries a one-line message meant for the user."""


class DdsecureError(Exception):
    """Base class: `str(error)` is a complete one-line message."""


class AnswerError(DdsecureError, ValueError):
    """An answer id or value is unknown or invalid."""


class InputFileError(DdsecureError):
    """A file given by the user cannot be read or parsed."""


class BundleError(DdsecureError):
    """The bundle cannot be written where the user asked."""
