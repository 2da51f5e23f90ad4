"""Errors a connector run ends with. Their message is what the connection shows as its last error,
so it says in words what went wrong and what to do; it never holds a credential."""


class ConnectorError(Exception):
    """A run that cannot go on: nothing of the page being written is kept."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RemoteError(ConnectorError):
    """The remote system answered with an error (or not at all) after the retries that make sense."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class RemoteAuthError(RemoteError):
    """401 or 403: a wrong or expired token, or missing permissions. Not retried."""


class RemoteNotFound(RemoteError):
    """404: a wrong site URL, project, board or issue. Not retried."""


class RemoteUnavailable(RemoteError):
    """Time-outs, 429, 5xx that persisted through every retry."""
