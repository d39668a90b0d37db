"""A command's output as it comes: chunks of stdout and stderr, kept apart and in order."""

from __future__ import annotations

import dataclasses
import queue
import threading
import uuid
from types import TracebackType
from typing import Any, Callable, Iterator, Literal, Optional

from ._transport import Transport
from .results import RunResult

Stream = Literal["stdout", "stderr"]


@dataclasses.dataclass(frozen=True)
class OutputChunk:
    """One piece of a command's output, as the command wrote it (not split on lines)."""

    stream: Stream
    data: bytes

    @property
    def text(self) -> str:
        """The bytes as UTF-8; a character cut between two chunks comes out replaced."""
        return self.data.decode("utf-8", errors="replace")


#: What a streaming callback receives; returning ``False`` stops the command (``None`` goes on).
OutputCallback = Callable[[OutputChunk], Optional[bool]]


class _Gathered:
    """The whole output, kept while it streams, for the :class:`RunResult` at the end."""

    def __init__(self) -> None:
        self.parts: dict[Stream, list[bytes]] = {"stdout": [], "stderr": []}

    def add(self, chunk: OutputChunk) -> None:
        self.parts[chunk.stream].append(chunk.data)

    def result(self, argv: list[str], body: dict[str, Any]) -> RunResult:
        text = {name: b"".join(parts).decode("utf-8", errors="replace") for name, parts in self.parts.items()}
        return RunResult.from_abi(argv, {**body, "stdout": text["stdout"], "stderr": text["stderr"]})


def run_streaming(transport: Transport, argv: list[str], request: dict[str, Any], callback: OutputCallback) -> RunResult:
    """Runs ``run_stream`` on this thread, ``callback`` seeing each chunk as it comes."""
    gathered = _Gathered()

    def deliver(stream: str, data: bytes) -> bool:
        chunk = OutputChunk("stderr" if stream == "stderr" else "stdout", data)
        gathered.add(chunk)
        return callback(chunk) is not False

    return gathered.result(argv, transport.call_streaming("run_stream", request, deliver))


_END = object()


class OutputStream:
    """Iterates a running command's :class:`OutputChunk` s as they come; :attr:`result` is set
    once the iteration has ended. Leaving early (``break`` inside ``with``, or :meth:`close`)
    kills the command and what it started.

    ::

        with env.stream(["pytest", "-x"]) as output:
            for chunk in output:
                print(chunk.text, end="")
        assert output.result is not None and output.result.ok
    """

    def __init__(self, transport: Transport, argv: list[str], request: dict[str, Any]) -> None:
        self.result: Optional[RunResult] = None
        # A few chunks of slack, like the core's: the command waits while the reader is behind.
        self._chunks: queue.Queue[object] = queue.Queue(maxsize=16)
        self._stopping = threading.Event()
        self._failure: Optional[BaseException] = None
        self._finished = False
        self._transport = transport
        # Names the call, so close() can stop it even while no output comes.
        self._call_id = f"stream-{uuid.uuid4().hex}"
        request = {**request, "call_id": self._call_id}

        def pass_on(chunk: OutputChunk) -> bool:
            if self._stopping.is_set():
                return False
            self._chunks.put(chunk)
            return not self._stopping.is_set()

        def work() -> None:
            try:
                self.result = run_streaming(transport, argv, request, pass_on)
            except BaseException as error:  # handed to the reader
                self._failure = error
            finally:
                self._chunks.put(_END)

        # Chunks arrive on the thread that makes the call: this one, not the reader's.
        self._worker = threading.Thread(target=work, name="ptest-iso-stream", daemon=True)
        self._worker.start()

    def __iter__(self) -> Iterator[OutputChunk]:
        return self

    def __next__(self) -> OutputChunk:
        if self._finished:
            raise StopIteration
        item = self._chunks.get()
        if item is _END:
            self._finished = True
            self._worker.join()
            if self._failure is not None and not self._stopping.is_set():
                raise self._failure
            raise StopIteration
        assert isinstance(item, OutputChunk)
        return item

    def close(self) -> None:
        """Stops the command (killing it, when still running) and waits until it is gone."""
        if self._finished:
            return
        self._stopping.set()
        self._transport.cancel(self._call_id)
        while self._chunks.get() is not _END:
            pass
        self._finished = True
        self._worker.join()

    def __enter__(self) -> "OutputStream":
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()


def follow(transport: Transport, request: dict[str, Any], callback: OutputCallback) -> None:
    """Runs ``follow_logs`` on this thread, ``callback`` seeing each chunk as it is logged."""

    def deliver(stream: str, data: bytes) -> bool:
        return callback(OutputChunk("stderr" if stream == "stderr" else "stdout", data)) is not False

    transport.call_streaming("follow_logs", request, deliver)


__all__ = ["OutputCallback", "OutputChunk", "OutputStream", "Stream"]
