"""A real `ptest-iso serve` (the binary beside the library the package loads) on loopback, for the server tests."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import urllib.error
import urllib.request
from typing import Any

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdef"


def binary() -> pathlib.Path:
    """The ptest-iso beside the library the package loaded (PTEST_ISO_LIB, the wheel's, or the
    newest build), as `ptest-iso` on PATH runs it."""
    from ptest_isolation._cli import binary as beside_the_library

    return beside_the_library()


class Server:
    """Starts the server, waits for its `{"listening": ...}` line (bounded), and stops it."""

    def __init__(self, tmp: pathlib.Path, *extra: str, tokens: list[dict[str, Any]] | None = None) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        self.tokens_file = tmp / "tokens.json"
        self.tokens_file.write_text(json.dumps(tokens or [{"token": ALICE, "owner": "alice"}, {"token": BOB, "owner": "bob"}]))
        self.home = tmp / "home"
        environment = dict(os.environ, PTEST_ISO_REAPER=str(binary()))
        self.process = subprocess.Popen(
            [str(binary()), "serve", "--port", "0", "--tokens", str(self.tokens_file), "--home", str(self.home), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # bounded: the process prints it or exits (EOF)
        assert line, f"serve exited: {self.process.stderr.read() if self.process.stderr else ''}"
        first = json.loads(line)
        self.url = ("https://" if "--tls-cert" in extra else "http://") + first["listening"]
        #: The session of everything the server makes (its containers' ptest-iso.session label).
        self.session: str = first["session"]

    def containers(self) -> list[str]:
        """The server's containers, from Docker itself."""
        import subprocess

        out = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=ptest-iso.session={self.session}"],
                             capture_output=True, text=True, check=True)
        return out.stdout.split()

    def call(self, method: str, request: dict[str, Any] | None = None, token: str = ALICE) -> tuple[int, dict[str, Any]]:
        data = json.dumps(request or {}).encode()
        http = urllib.request.Request(f"{self.url}/v1/call/{method}", data=data, method="POST",
                                      headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(http, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=60)
