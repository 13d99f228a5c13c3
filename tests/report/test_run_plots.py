"""Learning curves (train_log.jsonl), the mixture plot (mixture.json), per-language score plots."""

from __future__ import annotations

import json

from run_writers import write_toy_run

from stiltx.report.results import find_runs
from stiltx.report.run_plots import read_log, write_run_plots
from stiltx.report.tables import build_report

PNG = b"\x89PNG\r\n\x1a\n"


def test_learning_curves_mixture_and_language_plots(tmp_path):
    run = write_toy_run(tmp_path / "runs", "multitask9", 1, {}, default=55.0)
    rows = [
        {"step": s, "lr": 1e-4, "loss": {"mnli": 1.1 - s / 1000, "squad": 4.0}} for s in (10, 20)
    ]
    rows.append({"step": 20, "eval": {"mnli": 40.0, "squad": 12.0}, "metric": 26.0})
    (run / "intermediate").mkdir()
    log = "\n".join(json.dumps(r) for r in rows) + '\n{"step": 3'  # torn last line: skipped
    (run / "intermediate" / "train_log.jsonl").write_text(log, encoding="utf-8")
    (run / "target" / "mnli").mkdir(parents=True)
    (run / "target" / "mnli" / "train_log.jsonl").write_text(json.dumps(rows[0]), encoding="utf-8")
    mixture = {"tasks": {"mnli": {"intended_steps": 12, "realized_steps": 11},
                         "squad": {"intended_steps": 8, "realized_steps": 9}}}  # fmt: skip
    (run / "mixture.json").write_text(json.dumps(mixture), encoding="utf-8")
    train, evals = read_log(run / "intermediate" / "train_log.jsonl")
    assert [r["step"] for r in train] == [10, 20] and evals[0]["eval"]["mnli"] == 40.0
    report = build_report(find_runs([tmp_path / "runs"]))
    plots = write_run_plots(report, tmp_path / "out")
    assert set(plots) == {"learning_curves_multitask9", "mixture", "scores_by_language_multitask9"}
    for path in plots.values():
        data = path.read_bytes()
        assert data[:8] == PNG and len(data) > 10_000


def test_a_run_shorter_than_log_every_still_draws_its_point(tmp_path):
    """max_steps=3 < log_every: the loop logs one row, at the last step; the curve shows it."""
    from stiltx.report.figure import pyplot
    from stiltx.report.run_plots import learning_curves_figure

    run = tmp_path / "run"
    (run / "intermediate").mkdir(parents=True)
    row = {"step": 3, "lr": 2e-5, "loss": {"mnli": 1.05}, "examples": 24}
    (run / "intermediate" / "train_log.jsonl").write_text(json.dumps(row) + "\n")
    fig = learning_curves_figure(run, "short run")
    loss, dev, lr = fig.axes[:3]
    (line,) = loss.get_lines()
    assert list(line.get_xdata()) == [3] and list(line.get_ydata()) == [1.05]
    assert line.get_marker() == "o"  # a one-point line without a marker draws nothing
    assert [list(x.get_ydata()) for x in lr.get_lines()] == [[2e-5]]
    assert [t.get_text() for t in dev.texts] == ["no evaluation logged"]
    pyplot().close(fig)


def test_per_language_plots_draw_chance_lines(tmp_path):
    from stiltx.report.figure import pyplot
    from stiltx.report.run_plots import scores_by_language_figure

    write_toy_run(tmp_path / "runs", "direct", 1, {}, tasks=("xnli", "pawsx", "udpos"))
    report = build_report(find_runs([tmp_path / "runs"]))
    fig = scores_by_language_figure(report, report.groups[0])
    chance = {}
    for ax in fig.axes:
        for line in ax.get_lines():
            if line.get_gid() == "chance":
                chance[ax.get_ylabel()] = line.get_ydata()[0]
    assert chance == {"xnli": 100 / 3, "pawsx": 50.0}  # 3 labels, 2 labels; udpos has none
    pyplot().close(fig)
