"""PNG bar charts of a run, one per scenario: each suite's per-test cost over the empty baseline
(median; whiskers from the fastest to the slowest sample), the floor as a dashed line."""

from __future__ import annotations

import os
from typing import Any


def write_charts(directory: str, scenarios: list[dict[str, Any]], title: str) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(directory, exist_ok=True)
    written = []
    for summary in scenarios:
        tests = summary["tests"]
        suites = [s for s in summary["suites"].values() if s["role"] != "baseline"]
        baselines = {s["workers"]: s for s in summary["suites"].values() if s["role"] == "baseline"}
        names = [s["title"] for s in suites]
        medians = [s["per_test_ms"] for s in suites]
        low = [m - (s["min_s"] - baselines[s["workers"]]["median_s"]) / tests * 1000 for m, s in zip(medians, suites)]
        high = [(s["max_s"] - baselines[s["workers"]]["median_s"]) / tests * 1000 - m for m, s in zip(medians, suites)]
        colors = ["tab:green" if s["role"] == "ours" else "tab:gray" for s in suites]
        figure, axes = plt.subplots(figsize=(8, 0.6 * len(suites) + 1.8))
        positions = list(range(len(suites)))[::-1]
        axes.barh(positions, medians, xerr=[[max(0, v) for v in low], [max(0, v) for v in high]], color=colors, capsize=3)
        axes.set_yticks(positions, names)
        floors = list(summary["floors"].items())
        for index, (kind, floor) in enumerate(floors):
            axes.axvline(floor["floor_ms"], linestyle="--", color="tab:red")
            # Under the last bar, one label a line: two floors close together stay readable, and
            # the bars' own numbers stay clear.
            axes.annotate(f"{kind} floor {floor['floor_ms']:.0f} ms", (floor["floor_ms"], -0.6 - 0.3 * index),
                          xytext=(3, 0), textcoords="offset points", color="tab:red", fontsize=8, va="center")
        axes.set_ylim(-0.75 - 0.3 * len(floors), positions[0] + 0.6)
        for position, value, above in zip(positions, medians, high):
            axes.annotate(f"{value:.1f}", (max(value + max(above, 0), 0), position), xytext=(4, 6),
                          textcoords="offset points", fontsize=8)
        axes.set_xlabel("per-test cost over the empty suite, ms (median of rounds; min–max)")
        axes.set_title(f"{summary['name']}: {tests} tests — {title}", fontsize=9)
        figure.tight_layout()
        path = os.path.join(directory, f"suite-{summary['name']}.png")
        figure.savefig(path, dpi=110)
        plt.close(figure)
        written.append(path)
    return written
