"""pytest plugin: every test can get an isolated environment.

Fixtures: ``iso_manager`` (session), ``iso_env`` (a ready environment per
test, shaped by ``@pytest.mark.isolated(...)``), factories per scope
(``iso_factory``, ``iso_module_factory``, ``iso_session_factory``), and
``iso_fresh_copy`` (a fast, restored copy of a prepared environment per test),
``iso_service`` (a ready-made service of :mod:`ptest_isolation.services`
per call, destroyed after the test), and compose stacks: factories per scope
(``iso_compose``, ``iso_module_compose``, ``iso_session_compose``) and
``iso_stack``, shaped by ``@pytest.mark.compose(...)``.

With pytest-xdist all workers share one session; each worker destroys what
it made, except what is shared in the session (a session-scoped compose stack,
started once for all workers), and the controller removes what is left of the
session and checks that nothing is."""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import shlex
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Callable, Generator, Iterator, Optional, Sequence

import pytest

from .errors import InvalidSpec, IsolationError

# The rest of the package (and the library under it) is imported where it is first used: pytest
# imports this plugin in the xdist controller and every worker before anything else happens,
# and the controller never makes an environment.
if TYPE_CHECKING:
    from .manager import Environment, Manager
    from .results import Snapshot
    from .services import Running, Service
    from .specs import DockerSpec, VenvSpec

_ENVIRONMENTS = pytest.StashKey["list[Environment]"]()
_SUMMARY = pytest.StashKey[str]()
_STATE = pytest.StashKey["_RunState"]()
#: The manager that holds the session until the session's end is done (the controller's).
_HOLDER = pytest.StashKey["Manager"]()
#: The thread taking that hold while xdist starts its workers.
_HOLDING = pytest.StashKey[threading.Thread]()

#: Lines of a Docker environment's log shown in a failing test's report.
LOG_TAIL = 20


@dataclasses.dataclass
class _RunState:
    """What this process's fixtures share: failures seen so far (``--iso-keep-failed``
    keeps an environment when a test failed while it lived), the environments kept for
    that, and the snapshots ``iso_fresh_copy`` took, by the prepared environment's id."""

    failures: int = 0
    kept: set[str] = dataclasses.field(default_factory=set)
    snapshots: dict[str, Snapshot] = dataclasses.field(default_factory=dict)
    #: The session's manager (``iso_manager``), once a test asked for it.
    manager: Optional[Manager] = None
    #: Tests that use an environment from the current one on (itself included), when known:
    #: standbys beyond them would only be removed again. 0 once this process's last test began.
    remaining: Optional[int] = None
    #: That count for each collected test, by node id (none in an xdist worker, which runs only
    #: what it is sent).
    remaining_from: dict[str, int] = dataclasses.field(default_factory=dict)


def _state(config: pytest.Config) -> _RunState:
    return config.stash.setdefault(_STATE, _RunState())


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ptest-isolation", "isolated test environments")
    group.addoption("--iso-engine", default=None, help="engine for iso_env: virtualenv (default) or docker")
    group.addoption("--iso-keep", action="store_true", default=None, help="keep environments after the run and print where they are")
    group.addoption("--iso-keep-failed", action="store_true", default=None,
                    help="keep the environments of failing tests (removing the others) and print how to reach them")
    group.addoption("--iso-home", default=None, help="state directory (default: $PTEST_ISO_HOME or the XDG state dir)")
    group.addoption("--iso-image", default=None, help="container image of Docker environments that name none")
    group.addoption("--iso-url", default=None,
                    help="a ptest-iso serve server to get environments from (default: $PTEST_ISO_URL) instead of this machine")
    group.addoption("--iso-token-file", default=None,
                    help="a file holding the server's bearer token (default: $PTEST_ISO_TOKEN)")
    parser.addini("iso_engine", "engine for iso_env", default="")
    parser.addini("iso_keep", "keep environments after the run", type="bool", default=False)
    parser.addini("iso_keep_failed", "keep the environments of failing tests", type="bool", default=False)
    parser.addini("iso_home", "state directory", default="")
    parser.addini("iso_image", "container image of Docker environments that name none", default="")
    parser.addini("iso_url", "a ptest-iso serve server to get environments from", default="")
    parser.addini("iso_token_file", "a file holding the server's bearer token", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "isolated(engine=None, packages=(), image=None, reuse=False, **spec): give the test's iso_env this spec "
        "(reuse=True: share one environment of the spec across runs and workers, until its TTL)",
    )
    config.addinivalue_line(
        "markers",
        "compose(*files, services=(), scope='function', main=None, env=None, profiles=(), **spec): give the test's "
        "iso_stack this compose stack, per test, module or session (a session's stack is shared by all xdist workers)",
    )
    # One session for the whole run: the controller picks it, xdist workers inherit it.
    if not hasattr(config, "workerinput") and "PTEST_ISO_SESSION" not in os.environ:
        os.environ["PTEST_ISO_SESSION"] = f"pytest-{uuid.uuid4().hex[:12]}"


def _option(config: pytest.Config, name: str) -> Any:
    value = config.getoption(f"--iso-{name.replace('_', '-')}")
    return value if value is not None else config.getini(f"iso_{name}")


def _home(config: pytest.Config) -> Optional[str]:
    return _option(config, "home") or None


def _url(config: pytest.Config) -> Optional[str]:
    """The server's address: the option or ini, else $PTEST_ISO_URL unless a home is asked for."""
    return _option(config, "url") or (None if _home(config) else os.environ.get("PTEST_ISO_URL") or None)


def _standby_depth(config: pytest.Config) -> int:
    """Standbys per spec for this process: the run's budget, one start in flight per core (at most
    4), shared by its xdist workers, and at least one each. Every worker keeps its own standbys,
    and starts beyond what the cores run at once only queue on the daemon and slow the tests'
    own execs (measured on 2 cores: depth 2 alone, 1 each under ``-n 2``; decision 0022)."""
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(4, cores) // max(1, workers))


def _manager(config: pytest.Config, *, standby: bool = False) -> Manager:
    """A manager of the run's session: a client of the server when a url is set, else local."""
    from .manager import Manager

    session = os.environ["PTEST_ISO_SESSION"]
    url = _url(config)
    if url is None:
        depth = _standby_depth(config) if standby else None
        return Manager(home=_home(config), session=session, cleanup=False, docker_standby=depth)
    token_file = _option(config, "token_file")
    token = pathlib.Path(token_file).read_text().strip() if token_file else None
    return Manager(url=url, token=token, session=session, cleanup=False)


def _keep(config: pytest.Config) -> bool:
    return bool(_option(config, "keep"))


def _keep_failed(config: pytest.Config) -> bool:
    return bool(_option(config, "keep_failed")) and not _keep(config)


def _test_id(request: pytest.FixtureRequest) -> Optional[str]:
    """The node id recorded on what a fixture creates: the test's, or the module's or
    package's for wider scopes (none for the session)."""
    return request.node.nodeid or None


@pytest.fixture(scope="session")
def iso_manager(pytestconfig: pytest.Config) -> Iterator[Manager]:
    """The session's manager; at the end it destroys what this process created."""
    # A test run makes many environments of few specs: a standby per used spec pays off, and more
    # when tests come faster than one start, up to this process's share of the run's budget.
    manager = _manager(pytestconfig, standby=True)
    state = _state(pytestconfig)
    state.manager = manager
    if state.remaining is not None:
        _stop_standbys(manager, state.remaining)
    try:
        yield manager
    finally:
        try:
            if not _keep(pytestconfig):
                manager.destroy_created(keep=_state(pytestconfig).kept)
        finally:
            if hasattr(pytestconfig, "workerinput") or _HOLDER in pytestconfig.stash:
                manager.close()
            else:
                # Without xdist this process ends the session itself: its manager stays open (and so
                # counted by the session's reaper) until the session's end has removed what is left.
                pytestconfig.stash[_HOLDER] = manager


def _spec(config: pytest.Config, overrides: dict[str, Any]) -> VenvSpec:
    from .specs import spec_from_fields

    fields = dict(overrides)
    # A reused environment outlives the run anyway, by its TTL (and `keep` is refused with reuse).
    if (_keep(config) or _keep_failed(config)) and not fields.get("reuse"):
        # Kept past the run: the session's reaper spares `keep` environments. With
        # --iso-keep-failed whether a test fails is known only later, and a container's
        # labels cannot change then: those of passing tests are removed by their fixture.
        fields.setdefault("cleanup", "keep")
    # The marker's engine, else an image, a build or a compose stack makes it Docker, else --iso-engine
    # (default: a virtualenv).
    container = "image" in fields or "build" in fields or "compose" in fields
    engine = fields.pop("engine", None) or (None if container else _option(config, "engine"))
    if engine == "docker" and not container and _option(config, "image"):
        fields["image"] = _option(config, "image")
    return spec_from_fields({**fields, **({"engine": engine} if engine else {})})


class _Factory:
    """Creates environments for one fixture scope and destroys them at its end."""

    def __init__(self, manager: Manager, config: pytest.Config, request: pytest.FixtureRequest) -> None:
        self.manager = manager
        self.config = config
        self.request = request
        # Each environment with the failure count when it was made.
        self.created: list[tuple[Environment, int]] = []

    def __call__(self, **spec: Any) -> Environment:
        environment = self.manager.create(_spec(self.config, spec), test_id=_test_id(self.request))
        self.created.append((environment, _state(self.config).failures))
        _track(self.request, environment)
        return environment

    def close(self) -> None:
        _release(self.manager, self.config, self.created)


def _release(manager: Manager, config: pytest.Config, created: list[tuple[Environment, int]]) -> None:
    """The end of a fixture's scope: destroys its environments, except what is kept
    (everything with ``--iso-keep``; with ``--iso-keep-failed`` those a test failed with),
    and deletes the snapshots taken of the destroyed ones."""
    if _keep(config):
        return
    state = _state(config)
    destroyed = []
    for environment, failures in created:
        if environment.reused:
            continue  # shared with later runs and other workers: its TTL ends it
        if environment.shared:
            continue  # the session's other workers may use it still: the controller's session end removes it
        if _keep_failed(config) and state.failures > failures:
            state.kept.add(environment.id)
            continue
        environment.destroy(missing_ok=True, wait=False)
        destroyed.append(environment.id)
    snapshots = [state.snapshots.pop(environment_id) for environment_id in destroyed if environment_id in state.snapshots]
    _delete_snapshots(manager, snapshots)


def _delete_snapshots(manager: Manager, snapshots: list[Snapshot]) -> None:
    if not snapshots:
        return
    # Copies restored from them may still be going in the background: a Docker snapshot's
    # image cannot go while a container uses it.
    manager.wait_for_background()
    for snapshot in snapshots:
        try:
            manager.delete_snapshot(snapshot)
        except IsolationError:
            pass  # temporary: the session's end takes it


def _track(request: pytest.FixtureRequest, environment: Environment) -> None:
    node = request.node
    node.stash.setdefault(_ENVIRONMENTS, []).append(environment)


@pytest.fixture
def iso_factory(iso_manager: Manager, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Iterator[Callable[..., Environment]]:
    """``iso_factory(**spec)`` creates environments destroyed after the test."""
    factory = _Factory(iso_manager, pytestconfig, request)
    yield factory
    factory.close()


@pytest.fixture(scope="module")
def iso_module_factory(iso_manager: Manager, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Iterator[Callable[..., Environment]]:
    """Like ``iso_factory``, destroyed after the module."""
    factory = _Factory(iso_manager, pytestconfig, request)
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def iso_session_factory(iso_manager: Manager, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Iterator[Callable[..., Environment]]:
    """Like ``iso_factory``, destroyed at the end of the session."""
    factory = _Factory(iso_manager, pytestconfig, request)
    yield factory
    factory.close()


class _ComposeFactory(_Factory):
    """Creates compose stacks for one fixture scope: ``factory("compose.yaml", services=["web"])``.
    Within a module or the session the same arguments give the same stack; a session's
    stack is ``shared``: all xdist workers get the one the first of them made, and the
    controller removes it once every worker is done (the session's reaper, if the run dies)."""

    def __init__(self, manager: Manager, config: pytest.Config, request: pytest.FixtureRequest, *, scope: str) -> None:
        super().__init__(manager, config, request)
        self.scope = scope
        self.stacks: dict[str, Environment] = {}

    def __call__(self, *files: "str | os.PathLike[str]", services: Sequence[str] = (), main: Optional[str] = None,
                 env: Optional[dict[str, str]] = None, profiles: Sequence[str] = (), project_name: Optional[str] = None,
                 **fields: Any) -> Environment:
        if not files:
            raise InvalidSpec("compose.files: give at least one compose file", details={"field": "compose.files"})
        if "compose" in fields:
            raise InvalidSpec("compose: give the files as arguments, not compose=", details={"field": "compose"})
        from .specs import Compose

        compose = Compose(files=[os.fspath(path) for path in files], project_name=project_name, services=list(services),
                          main=main, env=dict(env or {}), profiles=list(profiles))
        if self.scope == "session" and not fields.get("reuse"):
            fields.setdefault("shared", True)
        spec = _spec(self.config, {**fields, "compose": compose})
        key = json.dumps(spec.to_request(), sort_keys=True)
        if self.scope != "function" and key in self.stacks:
            return self.stacks[key]
        test_id = _test_id(self.request) if self.scope != "session" else None
        environment = self.manager.create(spec, test_id=test_id)
        self.created.append((environment, _state(self.config).failures))
        self.stacks[key] = environment
        if self.scope == "function":
            _track(self.request, environment)
        return environment


@pytest.fixture
def iso_compose(iso_manager: Manager, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Iterator[Callable[..., Environment]]:
    """``iso_compose("compose.yaml", services=["web"])`` brings a compose stack up (every
    service it waits for ready) and removes it after the test."""
    factory = _ComposeFactory(iso_manager, pytestconfig, request, scope="function")
    yield factory
    factory.close()


@pytest.fixture(scope="module")
def iso_module_compose(iso_manager: Manager, pytestconfig: pytest.Config,
                       request: pytest.FixtureRequest) -> Iterator[Callable[..., Environment]]:
    """Like ``iso_compose``, one stack per module for the same arguments, removed after it."""
    factory = _ComposeFactory(iso_manager, pytestconfig, request, scope="module")
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def iso_session_compose(iso_manager: Manager, pytestconfig: pytest.Config,
                        request: pytest.FixtureRequest) -> Iterator[Callable[..., Environment]]:
    """Like ``iso_compose``, one stack per run for the same arguments, shared by all xdist
    workers (started once), removed at the end of the run."""
    factory = _ComposeFactory(iso_manager, pytestconfig, request, scope="session")
    yield factory
    factory.close()


@pytest.fixture
def iso_stack(request: pytest.FixtureRequest) -> Environment:
    """The compose stack of the test's ``@pytest.mark.compose("compose.yaml", services=[...],
    scope="function" | "module" | "session")`` marker (the closest one), ready."""
    marker = request.node.get_closest_marker("compose")
    if marker is None:
        raise InvalidSpec("iso_stack needs @pytest.mark.compose(\"compose.yaml\", ...) on the test, its class or module",
                          details={"field": "compose"})
    fields = dict(marker.kwargs)
    scope = fields.pop("scope", "function")
    factories = {"function": "iso_compose", "module": "iso_module_compose", "session": "iso_session_compose"}
    if scope not in factories:
        raise InvalidSpec(f"compose marker: scope {scope!r} is not one of function, module, session", details={"field": "scope"})
    factory: _ComposeFactory = request.getfixturevalue(factories[scope])
    environment = factory(*marker.args, **fields)
    _track(request, environment)
    return environment


@pytest.fixture
def iso_env(iso_factory: _Factory, request: pytest.FixtureRequest) -> Environment:
    """A ready environment for this test (a virtualenv unless ``--iso-engine``
    or the ``isolated`` marker says otherwise), destroyed afterwards."""
    marker = request.node.get_closest_marker("isolated")
    return iso_factory(**(marker.kwargs if marker else {}))


@pytest.fixture
def iso_service(iso_manager: Manager, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Iterator[Callable[..., Running]]:
    """``iso_service(services.Postgres())`` starts the service (ready: its check
    passed) and returns its connection details (``.dsn``, ``.url``, ``.port``);
    destroyed after the test, unless started with ``reuse=True`` (then shared
    with later runs until its TTL)."""
    started: list[Running] = []

    def start(service: Service, **fields: Any) -> Running:
        from .services import Running

        spec = service.spec(**fields)
        if _keep(pytestconfig) and not spec.reuse:  # a reused one outlives the run anyway
            spec.cleanup = "keep"
        running = Running(service, iso_manager.create(spec))
        started.append(running)
        _track(request, running.environment)
        return running

    yield start
    if not _keep(pytestconfig):
        for running in started:
            if not running.environment.reused:  # shared with later runs: its TTL ends it
                running.environment.destroy(missing_ok=True, wait=False)


@pytest.fixture(scope="session")
def _iso_snapshots(iso_manager: Manager, pytestconfig: pytest.Config) -> Iterator[dict[str, Snapshot]]:
    """The snapshots ``iso_fresh_copy`` took, by prepared environment; deleted at the end of
    the session at the latest (they are temporary: the session's reaper takes those of a
    process that died)."""
    snapshots = _state(pytestconfig).snapshots
    yield snapshots
    if not (_keep(pytestconfig) or _state(pytestconfig).kept):
        left = list(snapshots.values())
        snapshots.clear()
        _delete_snapshots(iso_manager, left)


@pytest.fixture
def iso_fresh_copy(iso_manager: Manager, _iso_snapshots: dict[str, Snapshot], pytestconfig: pytest.Config,
                   request: pytest.FixtureRequest) -> Iterator[Callable[[Environment], Environment]]:
    """``iso_fresh_copy(prepared)`` restores a fresh copy of a prepared
    environment (snapshotted once, on first use) for this test only. The snapshot
    is deleted when the prepared environment is, or at the end of the session."""
    copies: list[tuple[Environment, int]] = []

    def fresh(prepared: Environment) -> Environment:
        snapshot = _iso_snapshots.get(prepared.id)
        if snapshot is None:
            snapshot = prepared.snapshot(name=f"{prepared.id}-prepared-{uuid.uuid4().hex[:6]}", temporary=True)
            _iso_snapshots[prepared.id] = snapshot
        copy = iso_manager.restore(snapshot, test_id=_test_id(request))
        copies.append((copy, _state(pytestconfig).failures))
        _track(request, copy)
        return copy

    yield fresh
    _release(iso_manager, pytestconfig, copies)


def pytest_collection_finish(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker runs only what the controller sends it, a few at a time
    remaining_from = _state(session.config).remaining_from
    left = 0
    for item in reversed(session.items):
        if "iso_manager" in getattr(item, "fixturenames", ()):
            left += 1
        remaining_from[item.nodeid] = left


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Optional[pytest.Item]) -> None:
    # Standbys started for tests that will not come would only be removed again, at the
    # session's end, while the suite waits. The process's last test is known (an xdist
    # worker's too: it learns its next test before running one, and gets none only at its
    # end); without xdist, so is how many tests from this one on use an environment.
    state = _state(item.config)
    remaining = 0 if nextitem is None else state.remaining_from.get(item.nodeid)
    if remaining is None:
        return
    state.remaining = remaining
    if state.manager is not None:
        _stop_standbys(state.manager, remaining)


#: Below this many tests left the manager is told how many: a cap above what its standbys and
#: idle networks can number (4 per spec, 4 networks) changes nothing, and a call per test costs
#: more than the cap saves.
_SAY_REMAINING_BELOW = 16


def _stop_standbys(manager: Manager, after: int) -> None:
    if after >= _SAY_REMAINING_BELOW:
        return
    try:
        manager.stop_standbys(after=after)
    except IsolationError:
        pass  # only speed is at stake: the session's end removes unclaimed standbys anyway


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        _state(item.config).failures += 1
    environments = item.stash.get(_ENVIRONMENTS, [])
    if report.failed and environments:
        report.sections.append(("ptest-isolation environments", "\n".join(_describe_for_failure(environments))))


def _describe_for_failure(environments: list[Environment]) -> list[str]:
    lines = []
    for environment in environments:
        reused = f"  reused across runs (key {environment.reuse_key[:12]})" if environment.reuse_key else ""
        lines.append(f"{environment.id}  engine={environment.engine}  at {environment.location}{reused}")
        last = environment.last_result
        if last is not None:
            lines.append(f"  last command: {' '.join(last.argv)} -> exit {last.exit_code}{' (timed out)' if last.timed_out else ''}")
            for name, text in (("stdout", last.stdout), ("stderr", last.stderr)):
                tail = text.splitlines()[-10:]
                if tail:
                    lines.append(f"  {name} (last {len(tail)} lines):")
                    lines.extend(f"    {line}" for line in tail)
        if environment.engine == "docker":
            # What a service said before the test failed is often why.
            try:
                logs = environment.logs(tail=LOG_TAIL).splitlines()
            except IsolationError as error:
                lines.append(f"  container log: unavailable ({error})")
            else:
                lines.append(f"  container log (last {len(logs)} lines):" if logs else "  container log: empty")
                lines.extend(f"    {line}" for line in logs)
    return lines


def _cli(config: pytest.Config, *arguments: str) -> str:
    home, url = _home(config), _url(config)
    place = ["--url", url] if url else (["--home", home] if home else [])
    words = ["ptest-iso", arguments[0], *place, *arguments[1:]]
    return shlex.join(words)


def _describe_kept(config: pytest.Config, environment: Environment) -> list[str]:
    """Where a kept environment is, and the commands to reach and to remove it."""
    lines = [f"  {environment.id}  {environment.engine}  {environment.location}"]
    if environment.test_id:
        lines.append(f"    test:   {environment.test_id}")
    if environment.ports:
        published = ", ".join(f"{port} -> 127.0.0.1:{host}" for port, host in sorted(environment.ports.items()))
        lines.append(f"    ports:  {published}")
    lines.append(f"    reach:  {_cli(config, 'run', environment.id, '--', 'sh')}")
    if environment.engine == "docker" and environment.location:
        lines.append(f"            docker exec -it {environment.location} sh")
    elif environment.engine == "virtualenv" and environment.location:
        lines.append(f"            . {shlex.quote(os.path.join(environment.location, 'venv', 'bin', 'activate'))}")
    lines.append(f"    remove: {_cli(config, 'rm', environment.id)}")
    return lines


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workerinput") or not config.pluginmanager.has_plugin("dsession"):
        return
    # The xdist controller removes what its workers shared once the last is done: it holds the
    # session meanwhile, so the session's reaper does not start removing it as the workers exit
    # (it does if the controller dies). Taken while xdist starts its workers rather than before:
    # loading the library, opening the manager and the hold (which may start the session's
    # reaper) take tens of milliseconds, and the hold matters only once a worker ends. The
    # library's calls release the GIL; the session's end waits for the thread.
    holding = threading.Thread(target=_hold, args=(config,), name="ptest-isolation-hold", daemon=True)
    config.stash[_HOLDING] = holding
    holding.start()


def _hold(config: pytest.Config) -> None:
    try:
        manager = _manager(config)
    except Exception:
        return  # the session's end reports a library that cannot load
    try:
        manager.hold_session()
    except IsolationError:
        manager.close()
        return  # an unreachable reaper: the session's end still removes what is left
    config.stash[_HOLDER] = manager


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Last: after pytest's own session end has torn down session-scoped fixtures, whose
    # environments are then already destroyed or kept.
    config = session.config
    if hasattr(config, "workerinput"):
        return  # the controller checks the whole session once every worker is done
    holding = config.stash.get(_HOLDING, None)
    if holding is not None:
        holding.join()
    held = config.stash.get(_HOLDER, None)
    try:
        manager = held or _manager(config)
    except Exception as error:  # the library itself failed to load: say so, do not mask the run
        config.stash[_SUMMARY] = f"ptest-isolation: could not check for leftovers: {error}"
        return
    try:
        config.stash[_SUMMARY] = _finish_session(config, manager)
    except IsolationError as error:
        # An unreachable daemon (or any failure of the core) is a line in the summary, never a
        # crash of pytest's own session end that would hide the run's results.
        config.stash[_SUMMARY] = f"ptest-isolation: session {manager.session}: could not finish: {error}"
    finally:
        manager.close()


def _finish_session(config: pytest.Config, manager: Manager) -> str:
    everything = manager.list(session=manager.session, live_only=False)
    if not everything:
        return ""  # a run that used no environment gets no summary line
    problem = ""
    if not _keep(config):
        try:
            manager.destroy_session(manager.session)
        except IsolationError as error:
            problem = f"; not all could be removed: {error}"
    left = _wait_for_removals(manager)
    kept = [
        env for env in left
        if env.status not in ("destroying", "failed") and (_keep(config) or env.spec.get("cleanup") == "keep")
    ]
    lines = []
    if _keep(config) or kept:
        lines.append(f"ptest-isolation: kept {len(kept)} environments of session {manager.session}:")
        for environment in kept:
            lines.extend(_describe_kept(config, environment))
    if not _keep(config):
        lines.append(
            f"ptest-isolation: session {manager.session}: {len(everything)} environments created, "
            f"{len(left) - len(kept)} left behind{problem}"
        )
    return "\n".join(lines)


def _wait_for_removals(manager: Manager, seconds: float = 120.0) -> list[Environment]:
    """The session's live environments once those another process is removing are gone:
    the session's reaper starts on what the workers shared as soon as the last of them
    exits, and a removal under way is not something left behind."""
    # This process's own removals are waited for as they end; only those of other processes
    # are polled.
    manager.wait_for_background()
    deadline = time.monotonic() + seconds
    while True:
        left = manager.list(session=manager.session)
        if not any(env.status == "destroying" for env in left) or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    summary = config.stash.get(_SUMMARY, None)
    if summary:
        for line in summary.splitlines():
            terminalreporter.write_line(line)
