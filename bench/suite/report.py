"""The numbers of a run: per scenario, each suite's wall times and per-test cost over the empty
baseline, the floors, ours over each other tool, the restore times of the snapshot suites, and
the issue's targets as PASS/MISS. Ratios are reported, never asserted."""

from __future__ import annotations

import math
import statistics
from typing import Any, Optional

from scenarios import DOCKER_FLOOR, FLOOR_TITLES, Scenario, Suite

#: Issue 15's targets, as (limit, what) per scenario.
CONTAINER_VS_FLOOR = 1.15
CONTAINER_VS_TESTCONTAINERS = 2.0
VENV_VS_UV = 5.0
RESTORE_MEDIAN_MS = 5.0
RESTORE_P90_MS = 10.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def floor_summary(rounds: list[dict[str, float]]) -> dict[str, Any]:
    methods = {method: statistics.median(r[method] for r in rounds) * 1000 for method in rounds[0]}
    best = min(methods, key=lambda method: methods[method])
    return {"per_item_ms": {m: round(v, 2) for m, v in methods.items()}, "best": best, "floor_ms": round(methods[best], 2)}


def speedup(ours: float, theirs: float) -> Optional[float]:
    """How many times less per test ours costs (None when either costs nothing measurable over
    the baseline: the ratio would mean nothing)."""
    return round(theirs / ours, 2) if ours > 0 and theirs > 0 else None


def summarize_scenario(scenario: Scenario, tests: int, samples: dict[str, list[float]],
                       floor_rounds: dict[str, list[dict[str, float]]],
                       restores: dict[str, list[float]], first_restores: dict[str, list[float]]) -> dict[str, Any]:
    found_floors = {kind: floor_summary(floor_rounds[kind]) for kind in scenario.floors() if floor_rounds.get(kind)}
    baselines = {s.workers: statistics.median(samples[s.name]) for s in scenario.suites if s.role == "baseline"}
    suites: dict[str, Any] = {}
    for suite in scenario.suites:
        walls = samples[suite.name]
        median = statistics.median(walls)
        entry: dict[str, Any] = {
            "title": suite.label, "role": suite.role, "workers": suite.workers,
            "samples_s": [round(s, 4) for s in walls], "median_s": round(median, 4),
            "min_s": round(min(walls), 4), "max_s": round(max(walls), 4),
        }
        if suite.role == "baseline":
            entry["per_test_ms"] = round(median / tests * 1000, 2)
        else:
            entry["per_test_ms"] = round((median - baselines[suite.workers]) / tests * 1000, 2)
            if suite.floor in found_floors:
                entry["floor"] = suite.floor
                entry["vs_floor"] = round(entry["per_test_ms"] / found_floors[suite.floor]["floor_ms"], 3)
        if suite.name in restores:
            values = [v * 1000 for v in restores[suite.name]]
            entry["restore_ms"] = {"n": len(values), "median": round(statistics.median(values), 2),
                                   "p90": round(percentile(values, 0.9), 2), "max": round(max(values), 2),
                                   "first_median": round(statistics.median(first_restores[suite.name]) * 1000, 2)}
        suites[suite.name] = entry
    ratios = []
    for ours in (s for s in scenario.suites if s.role == "ours"):
        for other in (s for s in scenario.suites if s.role == "other" and s.workers == ours.workers):
            mine, theirs = suites[ours.name], suites[other.name]
            ratios.append({"ours": ours.name, "other": other.name, "title": f"{ours.label} vs {other.label}",
                           "wall": round(mine["median_s"] / theirs["median_s"], 3),
                           "per_test": round(mine["per_test_ms"] / theirs["per_test_ms"], 3) if theirs["per_test_ms"] > 0 else None,
                           "faster_by": speedup(mine["per_test_ms"], theirs["per_test_ms"])})
    return {"name": scenario.name, "description": scenario.description, "tests": tests, "suites": suites,
            "floors": found_floors, "ratios": ratios, "targets": targets(scenario, suites, ratios, found_floors)}


def _target(name: str, value: Optional[float], limit: float, at_most: bool, shown: str) -> dict[str, Any]:
    passed = value is not None and (value <= limit if at_most else value >= limit)
    return {"target": name, "value": value, "limit": limit, "pass": passed, "shown": shown}


def targets(scenario: Scenario, suites: dict[str, Any], ratios: list[dict[str, Any]],
            floors: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for suite in scenario.suites:
        entry = suites[suite.name]
        n = f" (-n {suite.workers})" if suite.workers else ""
        if scenario.name == "busybox" and suite.role == "ours" and "vs_floor" in entry:
            found.append(_target(f"fresh container ≤ {CONTAINER_VS_FLOOR}× the test's floor (with its exec){n}",
                                 entry["vs_floor"], CONTAINER_VS_FLOOR, True,
                                 f"{entry['vs_floor']:.2f}× ({entry['per_test_ms']:.1f} ms per test)"))
            if DOCKER_FLOOR in floors:
                # The issue's floor leaves out the exec every test of this scenario does.
                vs_issue_floor = round(entry["per_test_ms"] / floors[DOCKER_FLOOR]["floor_ms"], 3)
                found.append(_target(f"fresh container ≤ {CONTAINER_VS_FLOOR}× the issue's floor (no exec){n}",
                                     vs_issue_floor, CONTAINER_VS_FLOOR, True, f"{vs_issue_floor:.2f}×"))
        if scenario.name == "container" and suite.role == "ours" and "vs_floor" in entry:
            found.append(_target(f"fresh container ≤ {CONTAINER_VS_FLOOR}× the issue's floor (create+start+remove){n}",
                                 entry["vs_floor"], CONTAINER_VS_FLOOR, True,
                                 f"{entry['vs_floor']:.2f}× ({entry['per_test_ms']:.1f} ms per test)"))
        if "restore_ms" in entry and suite.name.startswith("ours-venv"):
            r = entry["restore_ms"]
            found.append(_target(f"venv snapshot restore median < {RESTORE_MEDIAN_MS:g} ms{n}", r["median"],
                                 RESTORE_MEDIAN_MS, True, f"{r['median']:.2f} ms"))
            found.append(_target(f"venv snapshot restore p90 < {RESTORE_P90_MS:g} ms{n}", r["p90"], RESTORE_P90_MS, True,
                                 f"{r['p90']:.2f} ms"))
    for ratio in ratios:
        n = ratio["ours"][len("ours"):].strip()
        n = f" ({n})" if n else ""
        shown = (f"{ratio['faster_by']:.2f}× per test" if ratio["faster_by"] is not None
                 else "no ratio: a per-test cost is not above the baseline's noise")
        if scenario.name in ("busybox", "container", "http") and ratio["other"].startswith("testcontainers"):
            found.append(_target(f"≥ {CONTAINER_VS_TESTCONTAINERS:g}× faster than testcontainers{n}", ratio["faster_by"],
                                 CONTAINER_VS_TESTCONTAINERS, False, shown + _below_floor(suites[ratio["other"]], floors)))
        if scenario.name == "venv" and ratio["other"].split()[0] == "uv":
            found.append(_target(f"≥ {VENV_VS_UV:g}× faster than uv per test{n}", ratio["faster_by"], VENV_VS_UV, False, shown))
        if scenario.name == "http" and ratio["other"].split()[0] in ("testcontainers", "pytest-docker"):
            found.append(_target(f"faster than {ratio['other']} (issue 11)", ratio["faster_by"], 1.0, False, shown))
    return found


def _below_floor(theirs: dict[str, Any], floors: dict[str, Any]) -> str:
    """Says so when the target asks for less per test than the daemon's floor for that test."""
    floor = floors.get(theirs.get("floor", ""))
    needed = theirs["per_test_ms"] / CONTAINER_VS_TESTCONTAINERS
    if floor is None or needed >= floor["floor_ms"]:
        return ""
    return (f" ({CONTAINER_VS_TESTCONTAINERS:g}× would be ≤ {needed:.1f} ms per test, under the daemon's floor "
            f"for this test, {floor['floor_ms']:.1f} ms)")


def scenario_table(summary: dict[str, Any], suites: tuple[Suite, ...]) -> str:
    lines = [f"== {summary['name']}: {summary['tests']} tests, {summary['description']}",
             f"{'suite':<30} {'median s':>9} {'min s':>7} {'max s':>7} {'per test ms':>12} {'× floor':>8}"]
    for suite in suites:
        s = summary["suites"][suite.name]
        vs_floor = f"{s['vs_floor']:8.2f}" if "vs_floor" in s else f"{'':8}"
        note = "  (wall / tests)" if s["role"] == "baseline" else ""
        lines.append(f"{s['title']:<30} {s['median_s']:9.2f} {s['min_s']:7.2f} {s['max_s']:7.2f} "
                     f"{s['per_test_ms']:12.1f} {vs_floor}{note}")
    for kind, floor in summary["floors"].items():
        methods = ", ".join(f"{m} {v:.1f} ms" for m, v in floor["per_item_ms"].items())
        lines.append(f"floor ({kind}): {FLOOR_TITLES[kind]}: {methods} → {floor['floor_ms']:.1f} ms per test ({floor['best']})")
    if summary["ratios"]:
        lines.append("")
        lines.append(f"{'ours vs':<52} {'wall ratio':>10} {'per-test ratio':>15} {'ours faster by':>15}")
        for r in summary["ratios"]:
            per_test = f"{r['per_test']:.2f}" if r["per_test"] is not None else "-"
            faster = f"{r['faster_by']:.2f}×" if r["faster_by"] is not None else "-"
            lines.append(f"{r['title']:<52} {r['wall']:10.2f} {per_test:>15} {faster:>15}")
    restored = [(s["title"], s["restore_ms"]) for s in summary["suites"].values() if "restore_ms" in s]
    if restored:
        lines.append("")
        lines.append("iso_fresh_copy(prepared) per test, ms (the first of each process, which also snapshots, left out):")
        for title, r in restored:
            lines.append(f"  {title:<28} median {r['median']:7.2f}  p90 {r['p90']:7.2f}  max {r['max']:7.2f}  "
                         f"n {r['n']:4d}  (first: {r['first_median']:.1f})")
    if summary["targets"]:
        lines.append("")
        for t in summary["targets"]:
            lines.append(f"{'PASS' if t['pass'] else 'MISS'}  {t['target']}: {t['shown']}")
    return "\n".join(lines)
