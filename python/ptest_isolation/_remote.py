"""The protocol over HTTP: a ``ptest-iso serve`` server's ``POST /v1/call/{method}``
(docs/server.md), with the standard library's ``http.client`` only.

Each thread keeps one connection open (pytest-xdist workers are processes; threads of one
process each get their own). Streamed methods answer NDJSON on a connection of their own,
which closing stops the call."""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import ssl
import threading
import time
import urllib.parse
from typing import Any, Optional, Union

from ._transport import ChunkHandler
from .errors import Cancelled, InvalidArgument, IsolationError, ServerUnavailable, Timeout, error_from_abi

#: How long a call waits for the server's answer (a create with installs can take minutes;
#: the server bounds its own work).
DEFAULT_TIMEOUT = 900.0
#: A streamed call's server writes a blank line every 2 s while quiet: silence this long means
#: the server is gone.
STREAM_SILENCE = 60.0
#: How long in all a call waits out ``429 Too Many Requests`` (as ``Retry-After`` asks).
RATE_LIMIT_PATIENCE = 30.0


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: Optional[float]) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def _excerpt(text: str, limit: int = 80) -> str:
    """A value as a message shows it: quoted, and cut short when long."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"


def parse_url(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host or socket path, port, path prefix)`` of a server address:
    ``http://HOST:PORT``, ``https://HOST:PORT`` or ``http+unix:///path/to/socket``
    (also ``http+unix://%2Fpath%2Fto%2Fsocket``)."""
    if not isinstance(url, str) or not url or len(url) > 4096:
        raise InvalidArgument(f"url: give the server's address, e.g. http://127.0.0.1:8080 (got {url!r:.80})", details={"field": "url"})
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("http+unix", "unix"):
        path = urllib.parse.unquote(parts.netloc) + parts.path if parts.netloc else parts.path
        if not path.startswith("/"):
            raise InvalidArgument(f"url: {_excerpt(url)} names no socket; write http+unix:///path/to/socket", details={"field": "url"})
        return "unix", path, 0, ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument(
            f"url: {_excerpt(url)} is not a server address; write http://HOST:PORT, https://HOST:PORT or http+unix:///path/to/socket",
            details={"field": "url"},
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidArgument(f"url: {_excerpt(url)} has a port out of range (1 to 65535)", details={"field": "url"}) from None
    return parts.scheme, parts.hostname, port, parts.path.rstrip("/")


class RemoteTransport:
    """Calls a ``ptest-iso serve`` server as the owner of ``token``."""

    remote = True

    def __init__(
        self,
        url: str,
        token: str,
        *,
        ca: "Optional[Union[str, os.PathLike[str]]]" = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = url
        self._scheme, self._host, self._port, self._prefix = parse_url(url)
        if not isinstance(token, str) or not 16 <= len(token.encode()) <= 512:
            raise InvalidArgument(
                "token: give the bearer token of the server's tokens file (16 to 512 bytes), "
                "with token= or $PTEST_ISO_TOKEN",
                details={"field": "token"},
            )
        if not 0 < timeout <= 86_400:
            raise InvalidArgument(f"timeout: {timeout} must be more than 0 and at most 86400 seconds", details={"field": "timeout"})
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self._timeout = timeout
        self._tls: Optional[ssl.SSLContext] = None
        if ca is not None and not isinstance(ca, (str, os.PathLike)):
            raise InvalidArgument(f"ca: must be the path of a CA bundle (PEM), not {type(ca).__name__}", details={"field": "ca"})
        if self._scheme == "https":
            try:
                self._tls = ssl.create_default_context(cafile=os.fspath(ca) if ca is not None else None)
            except (OSError, ssl.SSLError) as error:
                raise InvalidArgument(
                    f"ca: cannot read a CA bundle (PEM) from {_excerpt(os.fspath(ca or ''))}: {error}", details={"field": "ca"}
                ) from None
        elif ca is not None:
            raise InvalidArgument(f"ca: only an https:// server needs a CA bundle, not {url}", details={"field": "ca"})
        self._local = threading.local()
        self._streams: dict[str, http.client.HTTPConnection] = {}
        self._cancelled: set[str] = set()
        self._lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"<RemoteTransport {self.url}>"  # never the token

    # -- connections

    def _connect(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self._scheme == "unix":
            return _UnixConnection(self._host, timeout)
        if self._scheme == "https":
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=self._tls)
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection, and whether it was used before (it may have gone stale)."""
        connection: Optional[http.client.HTTPConnection] = getattr(self._local, "connection", None)
        if connection is not None:
            return connection, True
        connection = self._connect(self._timeout)
        self._local.connection = connection
        return connection, False

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()

    def _unreachable(self, error: BaseException) -> IsolationError:
        if isinstance(error, (socket.timeout, TimeoutError)):
            return Timeout(f"the ptest-iso server at {self.url} did not answer in time: {error}")
        if isinstance(error, ssl.SSLError):
            return ServerUnavailable(f"TLS with the ptest-iso server at {self.url} failed: {error}")
        return ServerUnavailable(f"cannot reach the ptest-iso server at {self.url}: {error}; is `ptest-iso serve` running there?")

    # -- calls

    def _path(self, method: str) -> str:
        return f"{self._prefix}/v1/call/{urllib.parse.quote(method, safe='')}"

    def call(self, method: str, request: dict[str, Any]) -> Any:
        if self._closed:
            from .errors import InvalidHandle

            raise InvalidHandle("the manager is closed")
        body = json.dumps(request).encode()
        patience = time.monotonic() + RATE_LIMIT_PATIENCE
        while True:
            status, headers, text = self._post(method, body)
            if status == 429:
                wait = _retry_after(headers.get("Retry-After"))
                if time.monotonic() + wait <= patience:
                    time.sleep(wait)
                    continue
            if status == 200:
                return json.loads(text) if text else None
            raise _error(status, text)

    def _post(self, method: str, body: bytes) -> tuple[int, http.client.HTTPMessage, str]:
        for attempt in (1, 2):
            connection, reused = self._connection()
            try:
                connection.request("POST", self._path(method), body=body, headers=self._headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", errors="replace")
                if response.will_close:
                    self._drop_connection()
                return response.status, response.headers, text
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                self._drop_connection()
                # A kept-alive connection the server closed while idle: once more on a new one.
                if reused and attempt == 1:
                    continue
                raise self._unreachable(error) from error
            except (OSError, http.client.HTTPException) as error:
                self._drop_connection()
                raise self._unreachable(error) from error
        raise AssertionError("unreachable")

    def call_streaming(self, method: str, request: dict[str, Any], on_chunk: ChunkHandler) -> Any:
        # The call id names the call here, for cancel(); the server knows a call by its connection.
        call_id = request.get("call_id")
        request = {key: value for key, value in request.items() if key != "call_id"}
        connection = self._connect(STREAM_SILENCE)
        if isinstance(call_id, str):
            with self._lock:
                if call_id in self._cancelled:
                    self._cancelled.discard(call_id)
                    raise Cancelled("the call was cancelled before it started")
                self._streams[call_id] = connection
        stopped = False
        try:
            try:
                connection.request("POST", self._path(method), body=json.dumps(request).encode(), headers=self._headers)
                response = connection.getresponse()
            except (OSError, http.client.HTTPException) as error:
                raise self._unreachable(error) from error
            if response.status != 200:
                raise _error(response.status, response.read().decode("utf-8", errors="replace"))
            while True:
                try:
                    line = response.readline()
                except (OSError, http.client.HTTPException, ValueError) as error:
                    if self._was_cancelled(call_id):
                        raise Cancelled("the streamed call was stopped; the command was killed") from None
                    raise self._unreachable(error) from error
                if not line:
                    if self._was_cancelled(call_id):
                        raise Cancelled("the streamed call was stopped; the command was killed")
                    raise ServerUnavailable(f"the ptest-iso server at {self.url} ended the stream without its result")
                if not line.strip():
                    continue  # the server's heartbeat
                item = json.loads(line)
                if "stream" in item:
                    if not stopped and not on_chunk(str(item["stream"]), base64.b64decode(item["data"])):
                        # Closing the connection is how the server learns to stop the command.
                        stopped = True
                        break
                elif "result" in item:
                    return item["result"]
                elif "error" in item:
                    raise error_from_abi(200, item["error"])
            raise Cancelled("the chunk callback asked to stop; the command was killed")
        finally:
            if isinstance(call_id, str):
                with self._lock:
                    self._streams.pop(call_id, None)
                    self._cancelled.discard(call_id)
            connection.close()

    def _was_cancelled(self, call_id: Any) -> bool:
        with self._lock:
            return isinstance(call_id, str) and call_id in self._cancelled

    def cancel(self, call_id: str) -> None:
        """Stops a streamed call from another thread by closing its connection under it."""
        with self._lock:
            self._cancelled.add(call_id)
            connection = self._streams.get(call_id)
        if connection is not None and connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed: the call has ended

    def close(self) -> None:
        self._closed = True
        self._drop_connection()


def _retry_after(value: Optional[str]) -> float:
    try:
        return min(max(float(value or 1), 0.05), RATE_LIMIT_PATIENCE)
    except ValueError:
        return 1.0


def _error(status: int, text: str) -> IsolationError:
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict) or "code" not in body:
        from .errors import InternalError

        return InternalError(f"the server answered HTTP {status}: {text[:300]}", status=status)
    return error_from_abi(status, body)
