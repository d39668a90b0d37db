"""Interactive sessions from the CLI, on a real pseudo-terminal: ``ptest-iso shell ID`` and
``ptest-iso run -it ID -- CMD`` for a virtualenv and a busybox container. The test is the
person at the keyboard: it writes keys to the terminal's master side and reads what the
terminal shows. Every step waits for output that proves the one before it; the time limits
only bound a wait for a session that broke."""

from __future__ import annotations

import fcntl
import os
import pathlib
import pty
import select
import signal
import struct
import subprocess
import termios
from collections.abc import Iterator

import pytest

from ptest_isolation import _cli

BUSYBOX = "ptest-iso-test/busybox:latest"
# Long enough for a loaded CI machine; a session that works answers in well under a second.
LIMIT_SECONDS = 120


def cli(home: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(_cli.binary()), args[0], "--home", str(home), *args[1:]], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)


class Terminal:
    """``ptest-iso`` started on a new pseudo-terminal, as from a person's terminal emulator."""

    def __init__(self, *args: str, argv: list[str] | None = None) -> None:
        environment = dict(os.environ, SHELL="/bin/sh", TERM="xterm")
        argv = argv or [str(_cli.binary()), *args]
        pid, fd = pty.fork()
        if pid == 0:  # the child: exec at once, nothing else
            try:
                os.execve(argv[0], argv, environment)
            finally:
                os._exit(127)
        self.pid, self.fd, self.seen = pid, fd, b""

    def read_until(self, text: str) -> str:
        """Reads until ``text`` appears; returns what came before it and keeps what came after."""
        wanted = text.encode()
        while wanted not in self.seen:
            ready, _, _ = select.select([self.fd], [], [], LIMIT_SECONDS)
            assert ready, f"no {text!r} within {LIMIT_SECONDS} s; the terminal shows {self.seen!r}"
            chunk = self._read()
            assert chunk, f"the session ended before {text!r}; the terminal showed {self.seen!r}"
            self.seen += chunk
        before, _, self.seen = self.seen.partition(wanted)
        return before.decode(errors="replace")

    def write(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def resize(self, rows: int, columns: int) -> None:
        """What a terminal emulator does when its window changes: the new size, then SIGWINCH."""
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        os.kill(self.pid, signal.SIGWINCH)

    def wait(self) -> int:
        """Reads to the end of the session and returns ptest-iso's exit code."""
        while True:
            ready, _, _ = select.select([self.fd], [], [], LIMIT_SECONDS)
            assert ready, f"the session did not end within {LIMIT_SECONDS} s; the terminal shows {self.seen!r}"
            chunk = self._read()
            if not chunk:
                break
            self.seen += chunk
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)

    def _read(self) -> bytes:
        try:
            return os.read(self.fd, 4096)
        except OSError:  # EIO: every holder of the terminal's other side has closed it
            return b""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("interactive-home")


@pytest.fixture(scope="module", params=["virtualenv", "docker"])
def environment(request: pytest.FixtureRequest, home: pathlib.Path) -> Iterator[str]:
    spec = ["--engine", "virtualenv"] if request.param == "virtualenv" else ["--image", BUSYBOX, "--mode", "sandbox"]
    created = cli(home, "create", *spec, "--ttl", "900")
    assert created.returncode == 0, created.stderr
    identifier = created.stdout.strip()
    yield identifier
    cli(home, "rm", "--force", identifier)


def shell(home: pathlib.Path, identifier: str) -> Terminal:
    terminal = Terminal("shell", "--home", str(home), identifier)
    # The quotes are the terminal's echo of the line; only the shell's output has `ready` whole.
    terminal.write("echo rea''dy\n")
    terminal.read_until("ready")
    return terminal


def test_a_shell_runs_commands_and_its_exit_code_is_ptest_isos(home: pathlib.Path, environment: str) -> None:
    terminal = shell(home, environment)
    terminal.write("echo $((6*7))\n")
    terminal.read_until("42")
    terminal.write("exit 3\n")
    assert terminal.wait() == 3


def test_output_arrives_before_the_command_ends(home: pathlib.Path, environment: str) -> None:
    terminal = Terminal("run", "--home", str(home), "-it", environment, "--", "sh", "-c", "echo first; read x; echo second-$x")
    # `read` waits for a line nobody has typed yet: `first` can only come while the command runs.
    terminal.read_until("first")
    terminal.write("go\n")
    terminal.read_until("second-go")
    assert terminal.wait() == 0


def test_a_window_resize_reaches_the_command(home: pathlib.Path, environment: str) -> None:
    terminal = shell(home, environment)
    terminal.resize(31, 101)
    # The resize travels ptest-iso → the engine → the terminal inside; the shell waits to see it there.
    terminal.write('until [ "$(stty size)" = "31 101" ]; do sleep 0.05; done; echo resi""zed\n')
    terminal.read_until("resized")
    terminal.write("stty size\n")
    terminal.read_until("31 101")
    terminal.write("exit\n")
    assert terminal.wait() == 0


def test_ctrl_c_reaches_the_command_inside(home: pathlib.Path, environment: str) -> None:
    script = "trap 'echo got-int; exit 9' INT; echo armed; while :; do sleep 1; done"
    terminal = Terminal("run", "--home", str(home), "-it", environment, "--", "sh", "-c", script)
    terminal.read_until("armed")
    # ptest-iso's terminal is raw: Ctrl-C is a byte for the terminal inside, not SIGINT for ptest-iso.
    terminal.write("\x03")
    terminal.read_until("got-int")
    assert terminal.wait() == 9


def test_a_terminal_session_without_a_terminal_is_refused(home: pathlib.Path, environment: str) -> None:
    for args in (["shell", environment], ["run", "-it", environment, "--", "sh"]):
        result = cli(home, *args)
        assert result.returncode == 64, result
        assert result.stderr.strip().splitlines() == ["Error: the input device is not a TTY"]


def test_an_unknown_environment_is_not_found(home: pathlib.Path) -> None:
    terminal = Terminal("shell", "--home", str(home), "env-000000000000")
    terminal.read_until("Error:")
    assert terminal.wait() == 3


@pytest.mark.parametrize("ending", ["exit", "error"])
def test_the_terminal_is_restored_on_the_way_out(home: pathlib.Path, environment: str, ending: str) -> None:
    # A shell on the outer terminal runs ptest-iso, then shows the terminal's settings it left.
    target = environment if ending == "exit" else "env-000000000000"
    binary = str(_cli.binary())
    script = f"'{binary}' run --home '{home}' -it {target} -- sh -c 'exit 4'; echo code=$?; stty -a; echo end""ed"
    terminal = Terminal(argv=["/bin/sh", "-c", script])
    terminal.read_until("code=4" if ending == "exit" else "code=3")
    settings = terminal.read_until("ended")
    # Raw mode would show -icanon -echo -isig; the terminal's own settings are back.
    words = settings.replace(";", " ").split()
    assert {"icanon", "echo", "isig"} <= set(words), settings
    assert terminal.wait() == 0
