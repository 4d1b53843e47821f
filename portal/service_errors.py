"""What a service raises when a request cannot be met; each area's services re-export these."""


class NotFound(LookupError):
    """No such record, or none this user may know about."""


class Conflict(ValueError):
    """The change would break a rule of the data; ``field`` says which input is at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Refused(ValueError):
    """A step that cannot be taken now; ``code`` names why, for the page to explain."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Forbidden(PermissionError):
    """The user may see the record but not make this change; the page answers 403."""
