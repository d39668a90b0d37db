"""The C ABI of libCPtestIsolation, declared once: argument and result types,
ownership of returned strings, and the ABI version check."""

from __future__ import annotations

import ctypes
import json
import os
import pathlib
from typing import Any, Callable, Optional

ABI_VERSION = 1
PROTOCOL_VERSION = 1
LIBRARY_NAME = "libCPtestIsolation.so"

EventCallback = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p)
#: ``ptest_iso_chunk_callback``: (stream, data, length, context) → 0 to go on.
ChunkCallback = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_int32, ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t, ctypes.c_void_p)
#: ``PTEST_ISO_STREAM_*`` → the stream's name.
STREAMS = {1: "stdout", 2: "stderr"}


def _candidates() -> list[pathlib.Path]:
    """Where the library may be: an explicit override, the copy shipped in
    the package, then (for development) the repository's build folders."""
    here = pathlib.Path(__file__).resolve().parent
    found = []
    if os.environ.get("PTEST_ISO_LIB"):
        found.append(pathlib.Path(os.environ["PTEST_ISO_LIB"]))
    found.append(here / "_lib" / LIBRARY_NAME)
    repository = here.parent.parent
    builds = [repository / ".build" / configuration / LIBRARY_NAME for configuration in ("debug", "release")]
    # The newest build wins: the one `swift build` just made, not a stale one.
    found.extend(sorted(builds, key=lambda path: path.stat().st_mtime if path.exists() else 0, reverse=True))
    return found


def _load() -> ctypes.CDLL:
    failures = []
    for path in _candidates():
        if not path.exists():
            failures.append(f"{path}: not there")
            continue
        try:
            library = ctypes.CDLL(str(path))
        except OSError as error:
            failures.append(f"{path}: {error}")
            continue
        _declare(library)
        abi = library.ptest_iso_abi_version()
        protocol = library.ptest_iso_protocol_version()
        if abi != ABI_VERSION or protocol != PROTOCOL_VERSION:
            raise ImportError(
                f"{path} implements C ABI {abi} / protocol {protocol}, this package needs "
                f"{ABI_VERSION} / {PROTOCOL_VERSION}: rebuild the library (`swift build --product "
                f"CPtestIsolation`, or reinstall the package with `pip install .`)"
            )
        return library
    raise ImportError(
        "cannot load the ptest-isolation library; tried:\n  "
        + "\n  ".join(failures)
        + "\nBuild it with `swift build --product CPtestIsolation`, install the package with "
        "`pip install .`, or point PTEST_ISO_LIB at libCPtestIsolation.so"
    )


def _declare(library: ctypes.CDLL) -> None:
    out_string = ctypes.POINTER(ctypes.c_void_p)
    library.ptest_iso_abi_version.argtypes = []
    library.ptest_iso_abi_version.restype = ctypes.c_uint32
    library.ptest_iso_protocol_version.argtypes = []
    library.ptest_iso_protocol_version.restype = ctypes.c_uint32
    library.ptest_iso_version.argtypes = []
    library.ptest_iso_version.restype = ctypes.c_char_p
    library.ptest_iso_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), out_string]
    library.ptest_iso_open.restype = ctypes.c_int32
    library.ptest_iso_close.argtypes = [ctypes.c_void_p, out_string]
    library.ptest_iso_close.restype = ctypes.c_int32
    library.ptest_iso_call.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, out_string]
    library.ptest_iso_call.restype = ctypes.c_int32
    library.ptest_iso_call_streaming.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ChunkCallback, ctypes.c_void_p, out_string,
    ]
    library.ptest_iso_call_streaming.restype = ctypes.c_int32
    library.ptest_iso_set_event_callback.argtypes = [ctypes.c_void_p, EventCallback, ctypes.c_void_p, out_string]
    library.ptest_iso_set_event_callback.restype = ctypes.c_int32
    library.ptest_iso_free.argtypes = [ctypes.c_void_p]
    library.ptest_iso_free.restype = None


LIBRARY = _load()


def _take(pointer: ctypes.c_void_p) -> str:
    """Copies a string the library allocated, then frees it."""
    if not pointer.value:
        return ""
    try:
        return ctypes.string_at(pointer.value).decode("utf-8", errors="replace")
    finally:
        LIBRARY.ptest_iso_free(pointer)


def _check(status: int, output: ctypes.c_void_p) -> Any:
    from .errors import error_from_abi

    text = _take(output)
    if status != 0:
        raise error_from_abi(status, json.loads(text) if text else {"code": "internal", "message": "no error text"})
    return json.loads(text) if text else None


def version() -> str:
    return str(LIBRARY.ptest_iso_version().decode())


def open_manager(config: dict[str, Any]) -> int:
    handle = ctypes.c_void_p()
    error = ctypes.c_void_p()
    status = LIBRARY.ptest_iso_open(json.dumps(config).encode(), ctypes.byref(handle), ctypes.byref(error))
    _check(status, error)
    assert handle.value is not None
    return handle.value


def close_manager(handle: int) -> None:
    error = ctypes.c_void_p()
    _check(LIBRARY.ptest_iso_close(handle, ctypes.byref(error)), error)


def call(handle: Optional[int], method: str, request: dict[str, Any]) -> Any:
    """One round trip: a plain C call, so the GIL is released while it runs."""
    output = ctypes.c_void_p()
    status = LIBRARY.ptest_iso_call(handle, method.encode(), json.dumps(request).encode(), ctypes.byref(output))
    return _check(status, output)


def call_streaming(handle: Optional[int], method: str, request: dict[str, Any], on_chunk: Callable[[str, bytes], bool]) -> Any:
    """A streaming round trip: ``on_chunk(stream, data)`` runs on this thread for each chunk, in
    order, while the call is under way; returning False stops the call (the command is killed, and
    ``Cancelled`` is raised). An exception from ``on_chunk`` stops it too, and is raised instead."""
    failure: list[BaseException] = []

    def deliver(stream: int, data: Any, length: int, _context: Any) -> int:
        if failure:
            return 1
        try:
            return 0 if on_chunk(STREAMS.get(stream, "stdout"), ctypes.string_at(data, length)) else 1
        except BaseException as error:  # raised again once the call has ended
            failure.append(error)
            return 1

    thunk = ChunkCallback(deliver)
    output = ctypes.c_void_p()
    status = LIBRARY.ptest_iso_call_streaming(handle, method.encode(), json.dumps(request).encode(), thunk, None, ctypes.byref(output))
    if failure:
        _take(output)
        raise failure[0]
    return _check(status, output)


def set_event_callback(handle: int, callback: Optional[Callable[[dict[str, Any]], None]]) -> Any:
    """Registers `callback`; returns the ctypes thunk, which the caller must keep alive."""
    thunk = EventCallback(lambda text, _context: callback(json.loads(text.decode())) if callback else None)
    error = ctypes.c_void_p()
    _check(LIBRARY.ptest_iso_set_event_callback(handle, thunk if callback else EventCallback(), None, ctypes.byref(error)), error)
    return thunk
