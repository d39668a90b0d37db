"""Exceptions raised by ptest_isolation, one class per stable ABI error code."""

from __future__ import annotations

from typing import Any


class IsolationError(Exception):
    """Base class of every ptest-isolation error.

    ``code`` is the stable name of the error, ``message`` says what to fix,
    ``details`` carries extra facts (e.g. the Docker error code), and
    ``field`` names the spec or request field at fault (``"wait_for[0].tcp"``),
    as every front names it, or is ``None``."""

    code = "internal"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or type(self).code
        self.status = status
        self.details = details or {}

    @property
    def field(self) -> str | None:
        value = self.details.get("field")
        return str(value) if value is not None else None


class InvalidArgument(IsolationError, ValueError):
    """A request the library could not read: a wrong type, malformed JSON."""

    code = "invalidArgument"


class UnknownMethod(IsolationError):
    code = "unknownMethod"


class InvalidHandle(IsolationError):
    """The manager was closed."""

    code = "invalidHandle"


class NotFound(IsolationError, LookupError):
    code = "notFound"


class InvalidSpec(IsolationError, ValueError):
    """A spec field is wrong; the message names the field and the fix."""

    code = "invalidSpec"


class IllegalTransition(IsolationError):
    """The environment's status does not allow the operation (e.g. it is stopped)."""

    code = "illegalTransition"


class CapacityExceeded(IsolationError):
    code = "capacityExceeded"


class EngineUnavailable(IsolationError):
    code = "engineUnavailable"


class InterpreterNotFound(IsolationError):
    code = "interpreterNotFound"


class InstallFailed(IsolationError):
    """A package install failed; the message holds the installer's output."""

    code = "installFailed"


class Timeout(IsolationError, TimeoutError):
    code = "timeout"


class Cancelled(IsolationError):
    code = "cancelled"


class SnapshotFailed(IsolationError):
    code = "snapshotFailed"


class StorageFailure(IsolationError):
    code = "storageFailure"


class IOFailure(IsolationError, OSError):
    code = "ioFailure"


class DaemonUnavailable(IsolationError):
    """The Docker daemon cannot be reached (or refused the TLS handshake)."""

    code = "daemonUnavailable"


class InternalError(IsolationError):
    code = "internal"


# -- from a ptest-iso server (``Manager(url=...)``); ``status`` is then the HTTP status


class ServerUnavailable(IsolationError, ConnectionError):
    """The ``ptest-iso serve`` server cannot be reached (or its TLS handshake failed)."""

    code = "serverUnavailable"


class Unauthorized(IsolationError, PermissionError):
    """The server refused the token: none, unknown or expired."""

    code = "unauthorized"


class Forbidden(IsolationError, PermissionError):
    """The server does not offer this to its owners (a method on the whole server, a path on
    its machine); ``field`` names what to leave out."""

    code = "forbidden"


class QuotaExceeded(Forbidden):
    """The owner's quota (``max_live``, ``max_cpus``, ``max_memory``) is used up; ``field`` names it."""

    code = "quotaExceeded"


class RateLimited(IsolationError):
    """Over the owner's request rate for longer than the client waits it out."""

    code = "rateLimited"


class BodyTooLarge(IsolationError, ValueError):
    """A request (or an archive) over the server's body limit."""

    code = "bodyTooLarge"


class MethodNotAllowed(IsolationError):
    code = "methodNotAllowed"


_BY_CODE = {cls.code: cls for cls in IsolationError.__subclasses__()} | {
    sub.code: sub for cls in IsolationError.__subclasses__() for sub in cls.__subclasses__()
}


def error_from_abi(status: int, body: dict[str, Any]) -> IsolationError:
    """The one place that maps ABI error codes to exception classes."""
    code = str(body.get("code", "internal"))
    cls = _BY_CODE.get(code, InternalError)
    return cls(str(body.get("message", "")), code=code, status=status, details=body.get("details") or {})
