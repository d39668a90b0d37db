"""How a :class:`~ptest_isolation.Manager` reaches the core: the library in this process
(:class:`LocalTransport`, the C ABI) or a ``ptest-iso serve`` server
(:class:`~ptest_isolation._remote.RemoteTransport`). Both speak the same protocol: a method
name and a JSON request in, a JSON answer or an error out."""

from __future__ import annotations

from typing import Any, Callable, Optional, Protocol

from . import _native

#: ``on_chunk(stream, data)`` for a streamed call; returning False stops the call.
ChunkHandler = Callable[[str, bytes], bool]


class Transport(Protocol):
    #: Whether the core runs elsewhere: host paths, sessions and events then work differently.
    remote: bool

    def call(self, method: str, request: dict[str, Any]) -> Any: ...

    def call_streaming(self, method: str, request: dict[str, Any], on_chunk: ChunkHandler) -> Any: ...

    def cancel(self, call_id: str) -> None:
        """Stops the streamed call made with this ``call_id`` (from another thread)."""
        ...

    def close(self) -> None: ...


class LocalTransport:
    """The library loaded in this process, through its C ABI."""

    remote = False

    def __init__(self, config: dict[str, Any]) -> None:
        self._handle: Optional[int] = _native.open_manager(config)

    @property
    def handle(self) -> int:
        if self._handle is None:
            from .errors import InvalidHandle

            raise InvalidHandle("the manager is closed")
        return self._handle

    def call(self, method: str, request: dict[str, Any]) -> Any:
        return _native.call(self._handle, method, request)

    def call_streaming(self, method: str, request: dict[str, Any], on_chunk: ChunkHandler) -> Any:
        return _native.call_streaming(self.handle, method, request, on_chunk)

    def cancel(self, call_id: str) -> None:
        _native.call(self.handle, "cancel", {"call_id": call_id})

    def set_event_callback(self, callback: Optional[Callable[[dict[str, Any]], None]]) -> Any:
        return _native.set_event_callback(self.handle, callback)

    def close(self) -> None:
        """Finishes background work (``shutdown``), then closes the handle."""
        if self._handle is not None:
            try:
                self.call("shutdown", {})
            finally:
                handle, self._handle = self._handle, None
                _native.close_manager(handle)
