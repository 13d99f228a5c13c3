"""Where every number of a report comes from: run folders, commit, version, model, method, seeds,
dates and device, read from each run's results.json. Every export carries it (Markdown / HTML
section, LaTeX comment block, CSV columns, JSON object), so a table pasted into a paper can be
traced back to the runs that made it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import PurePath

from stiltx import __version__
from stiltx.report.tables import Report


@dataclass(frozen=True)
class RunProvenance:
    recipe: str
    run: str  # the run folder
    seed: int | None
    model: str
    method: str
    benchmark: str
    git_commit: str
    stiltx_version: str
    recipe_hash: str
    started: str
    finished: str
    device: str
    retrieval_protocol: str = ""  # BUCC's pooling and layer (results.json `retrieval_protocol`)


_MACHINE_PATH = re.compile(r"^(~|/|\\|\.{1,2}[/\\]|[A-Za-z]:[/\\])")


def public_name(text: str) -> str:
    """A name fit to publish: a model given as a machine path ('/home/me/toy/model') shows its
    last component ('model'); a Hub id ('FacebookAI/xlm-roberta-large') stays as it is."""
    if not _MACHINE_PATH.match(text):
        return text
    return PurePath(text.replace("\\", "/")).name or text


def runs_provenance(report: Report) -> list[RunProvenance]:
    out = []
    for group in report.groups:
        for run in group.runs:
            devices = sorted({t.device for t in run.timings if t.device} | {run.device} - {""})
            out.append(
                RunProvenance(
                    recipe=group.name,
                    run=str(run.path),
                    seed=run.seed,
                    model=run.model,
                    method=run.method,
                    benchmark=group.benchmark,
                    git_commit=run.git_commit or "unknown",
                    stiltx_version=run.stiltx_version or "unknown",
                    recipe_hash=run.recipe_hash,
                    started=run.started,
                    finished=run.finished,
                    device=", ".join(devices) or "unknown",
                    retrieval_protocol=run.retrieval_protocol,
                )
            )
    return out


def provenance_json(report: Report) -> dict:
    return {
        "report_stiltx_version": __version__,
        "runs": [asdict(p) for p in runs_provenance(report)],
    }


def _span(values: list[str]) -> str:
    dates = sorted(v[:10] for v in values if v)
    if not dates:
        return "dates unknown"
    return dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"


def provenance_lines(report: Report) -> list[str]:
    """One line per recipe (what a reader needs to trust it), then the run folders."""
    runs = runs_provenance(report)
    lines = [f"made by stiltx {__version__} from {len(runs)} run(s)"]
    for group in report.groups:
        mine = [p for p in runs if p.recipe == group.name]

        def joined(attr: str, mine: list[RunProvenance] = mine) -> str:
            return ", ".join(dict.fromkeys(str(getattr(p, attr)) for p in mine))

        seeds = ", ".join("?" if p.seed is None else str(p.seed) for p in mine)
        protocols = ", ".join(
            dict.fromkeys(p.retrieval_protocol for p in mine if p.retrieval_protocol)
        )
        lines.append(
            f"{group.name}: model {joined('model')}; method {joined('method')}; "
            f"benchmark {joined('benchmark')}; seeds {seeds}; commit {joined('git_commit')}; "
            f"stiltx {joined('stiltx_version')}; {_span([p.started for p in mine] + [p.finished for p in mine])}; "
            f"device {joined('device')}" + (f"; retrieval protocol {protocols}" if protocols else "")
        )  # fmt: skip
    lines.append("run folders: " + ", ".join(p.run for p in runs))
    return lines
