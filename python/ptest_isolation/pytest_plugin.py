"""pytest plugin: every test can get an isolated environment.

Fixtures: ``iso_manager`` (session), ``iso_env`` (a ready environment per
test, shaped by ``@pytest.mark.isolated(...)``), factories per scope
(``iso_factory``, ``iso_module_factory``, ``iso_session_factory``), and
``iso_fresh_copy`` (a fast, restored copy of a prepared environment per test)
and ``iso_service`` (a ready-made service of :mod:`ptest_isolation.services`
per call, destroyed after the test).

With pytest-xdist all workers share one session; each worker destroys what
it made, and the controller checks that nothing of the session is left."""

from __future__ import annotations

import os
import uuid
from typing import Any, Callable, Generator, Iterator, Optional

import pytest

from .manager import Environment, Manager
from .results import Snapshot
from .services import Running, Service
from .specs import DockerSpec, VenvSpec, spec_from_fields

_ENVIRONMENTS = pytest.StashKey[list[Environment]]()
_SUMMARY = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ptest-isolation", "isolated test environments")
    group.addoption("--iso-engine", default=None, help="engine for iso_env: virtualenv (default) or docker")
    group.addoption("--iso-keep", action="store_true", default=None, help="keep environments after the run and print where they are")
    group.addoption("--iso-home", default=None, help="state directory (default: $PTEST_ISO_HOME or the XDG state dir)")
    group.addoption("--iso-image", default=None, help="container image of Docker environments that name none")
    parser.addini("iso_engine", "engine for iso_env", default="")
    parser.addini("iso_keep", "keep environments after the run", type="bool", default=False)
    parser.addini("iso_home", "state directory", default="")
    parser.addini("iso_image", "container image of Docker environments that name none", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "isolated(engine=None, packages=(), image=None, **spec): give the test's iso_env this spec",
    )
    # One session for the whole run: the controller picks it, xdist workers inherit it.
    if not hasattr(config, "workerinput") and "PTEST_ISO_SESSION" not in os.environ:
        os.environ["PTEST_ISO_SESSION"] = f"pytest-{uuid.uuid4().hex[:12]}"


def _option(config: pytest.Config, name: str) -> Any:
    value = config.getoption(f"--iso-{name}")
    return value if value is not None else config.getini(f"iso_{name}")


def _home(config: pytest.Config) -> Optional[str]:
    return _option(config, "home") or None


def _keep(config: pytest.Config) -> bool:
    return bool(_option(config, "keep"))


@pytest.fixture(scope="session")
def iso_manager(pytestconfig: pytest.Config) -> Iterator[Manager]:
    """The session's manager; at the end it destroys what this process created."""
    # A test run makes many environments of few specs: one standby container per used spec pays off.
    manager = Manager(home=_home(pytestconfig), session=os.environ["PTEST_ISO_SESSION"], cleanup=False, docker_standby=1)
    try:
        yield manager
    finally:
        if not _keep(pytestconfig):
            manager.destroy_created()
        manager.close()


def _spec(config: pytest.Config, overrides: dict[str, Any]) -> VenvSpec:
    fields = dict(overrides)
    if _keep(config):
        # Kept past the run: the session's reaper spares `keep` environments.
        fields.setdefault("cleanup", "keep")
    engine = fields.pop("engine", None) or _option(config, "engine") or "virtualenv"
    if engine == "docker" and "image" not in fields and "build" not in fields and _option(config, "image"):
        fields["image"] = _option(config, "image")
    return spec_from_fields({**fields, "engine": engine})


class _Factory:
    """Creates environments for one fixture scope and destroys them at its end."""

    def __init__(self, manager: Manager, config: pytest.Config, request: pytest.FixtureRequest) -> None:
        self.manager = manager
        self.config = config
        self.request = request
        self.created: list[Environment] = []

    def __call__(self, **spec: Any) -> Environment:
        environment = self.manager.create(_spec(self.config, spec))
        self.created.append(environment)
        _track(self.request, environment)
        return environment

    def close(self) -> None:
        if _keep(self.config):
            return
        for environment in self.created:
            environment.destroy(missing_ok=True, wait=False)


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
    destroyed after the test."""
    started: list[Running] = []

    def start(service: Service, **fields: Any) -> Running:
        spec = service.spec(**fields)
        if _keep(pytestconfig):
            spec.cleanup = "keep"
        running = Running(service, iso_manager.create(spec))
        started.append(running)
        _track(request, running.environment)
        return running

    yield start
    if not _keep(pytestconfig):
        for running in started:
            running.environment.destroy(missing_ok=True, wait=False)


@pytest.fixture(scope="session")
def _iso_snapshots() -> dict[str, Snapshot]:
    return {}


@pytest.fixture
def iso_fresh_copy(iso_manager: Manager, _iso_snapshots: dict[str, Snapshot], pytestconfig: pytest.Config,
                   request: pytest.FixtureRequest) -> Iterator[Callable[[Environment], Environment]]:
    """``iso_fresh_copy(prepared)`` restores a fresh copy of a prepared
    environment (snapshotted once, on first use) for this test only."""
    copies: list[Environment] = []

    def fresh(prepared: Environment) -> Environment:
        snapshot = _iso_snapshots.get(prepared.id)
        if snapshot is None:
            snapshot = prepared.snapshot(name=f"{prepared.id}-prepared-{uuid.uuid4().hex[:6]}")
            _iso_snapshots[prepared.id] = snapshot
        copy = iso_manager.restore(snapshot)
        copies.append(copy)
        _track(request, copy)
        return copy

    yield fresh
    if not _keep(pytestconfig):
        for copy in copies:
            copy.destroy(missing_ok=True, wait=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    environments = item.stash.get(_ENVIRONMENTS, [])
    if report.failed and environments:
        lines = []
        for environment in environments:
            lines.append(f"{environment.id}  engine={environment.engine}  at {environment.location}")
            last = environment.last_result
            if last is not None:
                lines.append(f"  last command: {' '.join(last.argv)} -> exit {last.exit_code}{' (timed out)' if last.timed_out else ''}")
                for name, text in (("stdout", last.stdout), ("stderr", last.stderr)):
                    tail = text.splitlines()[-10:]
                    if tail:
                        lines.append(f"  {name} (last {len(tail)} lines):")
                        lines.extend(f"    {line}" for line in tail)
        report.sections.append(("ptest-isolation environments", "\n".join(lines)))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if hasattr(config, "workerinput"):
        return  # the controller checks the whole session once every worker is done
    try:
        manager = Manager(home=_home(config), session=os.environ["PTEST_ISO_SESSION"], cleanup=False)
    except Exception as error:  # the library itself failed to load: say so, do not mask the run
        config.stash[_SUMMARY] = f"ptest-isolation: could not check for leftovers: {error}"
        return
    try:
        everything = manager.list(session=manager.session, live_only=False)
        if not everything:
            return  # a run that used no environment gets no summary line
        if _keep(config):
            live = [env for env in everything if env.status not in ("destroyed", "failed")]
            where = "\n".join(f"  {env.id}  {env.engine}  {env.location}" for env in live)
            config.stash[_SUMMARY] = f"ptest-isolation: kept {len(live)} environments of session {manager.session}:\n{where}"
            return
        manager.destroy_session(manager.session)
        left = manager.list(session=manager.session)
        config.stash[_SUMMARY] = (
            f"ptest-isolation: session {manager.session}: {len(everything)} environments created, "
            f"{len(left)} left behind"
        )
    finally:
        manager.close()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    summary = config.stash.get(_SUMMARY, None)
    if summary:
        terminalreporter.write_line(summary)
