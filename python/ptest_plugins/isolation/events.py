"""Forwards the core manager's events to ptestx environment listeners.

The core delivers events in order on a library thread; each goes to the
ptestx environment bound to its core environment id (snapshot events without
one go to the environment that asked for the operation) through ptestx's own
``IsolatedEnvironment._emit_event``, so listeners added with
``add_event_listener`` are called as ``callback(env, event, **details)``.
An event that arrives before its environment is bound (a creation or restore
still returning) waits for the binding, so nothing is lost or reordered."""

from __future__ import annotations

import collections
import threading
import weakref
from typing import TYPE_CHECKING, Any, Optional

from ptest_isolation import Event

from ._ptestx import logger
from .translate import EVENTS

if TYPE_CHECKING:
    from .environment import IsoEnvironment

_MAX_PENDING_IDS = 256


class EventRouter:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._bound: "weakref.WeakValueDictionary[str, IsoEnvironment]" = weakref.WeakValueDictionary()
        self._pending: "collections.OrderedDict[str, list[Event]]" = collections.OrderedDict()
        self._retired: set[str] = set()
        self._snapshot_routes: dict[str, str] = {}
        self._snapshot_names: dict[str, str] = {}

    def bind(self, core_id: str, environment: "IsoEnvironment") -> None:
        """From now on events of ``core_id`` go to ``environment``; earlier ones are delivered now."""
        with self._lock:
            self._bound[core_id] = environment
            for event in self._pending.pop(core_id, []):
                self._deliver(environment, event)

    def retire(self, core_id: str) -> None:
        """Events of ``core_id`` are dropped (its ptestx environment moved to another core environment)."""
        with self._lock:
            self._bound.pop(core_id, None)
            self._pending.pop(core_id, None)
            self._retired.add(core_id)

    def route_snapshot(self, snapshot_id: str, name: str, core_id: Optional[str]) -> None:
        """Snapshot events of ``snapshot_id`` that name no environment go to ``core_id``'s."""
        with self._lock:
            self._snapshot_names[snapshot_id] = name
            if core_id is not None:
                self._snapshot_routes[snapshot_id] = core_id

    def dispatch(self, event: Event) -> None:
        """The core manager's event callback (a library thread)."""
        try:
            with self._lock:
                target = event.environment or (self._snapshot_routes.get(event.snapshot) if event.snapshot else None)
                if target is None or target in self._retired:
                    return
                environment = self._bound.get(target)
                if environment is None:
                    self._pending.setdefault(target, []).append(event)
                    while len(self._pending) > _MAX_PENDING_IDS:
                        self._pending.popitem(last=False)
                    return
                self._deliver(environment, event)
        except Exception:  # never into the library's thread
            logger.exception(f"forwarding core event {event!r} failed")

    def _deliver(self, environment: "IsoEnvironment", event: Event) -> None:
        kind = EVENTS.get(event.kind)
        if kind is None:  # package-removed: ptestx has no such event
            return
        details: dict[str, Any] = {}
        if event.kind == "package-installed":
            details["package"] = event.detail
        elif event.kind.startswith("snapshot-"):
            details["snapshot_id"] = self._snapshot_names.get(event.snapshot or "", event.detail)
        elif event.kind == "error":
            details["error"] = event.detail
        environment._emit_event(kind, **details)
