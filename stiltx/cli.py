"""The `stiltx` command line: parses, delegates, prints. One function per command.

Heavy libraries (torch, transformers, datasets) are imported inside the commands, so `stiltx --help`,
`stiltx tasks`, `stiltx validate` and `stiltx report` start instantly.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from stiltx.errors import StiltxError
from stiltx.terminal import (
    StdoutConsole,
    finished_line,
    hide_flag_types,
    print_raw,
    print_whole,
)

hide_flag_types()
app = typer.Typer(
    name="stiltx",
    help="English intermediate-task training (STILTs) for zero-shot cross-lingual transfer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console: Console = StdoutConsole()
err_console = Console(stderr=True, soft_wrap=True)


def clean_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a StiltxError into one clean message on stderr and exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StiltxError as error:
            err_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
            sys.exit(error.exit_code)

    return wrapper


def _version(value: bool) -> None:
    if value:
        from stiltx import __version__

        print_raw(f"stiltx {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """English intermediate-task training (STILTs) for zero-shot cross-lingual transfer."""


# ---- commands -------------------------------------------------------------------------------------
# (each command: a thin function that parses options, calls into the library, prints the result)

RecipeOpt = Annotated[str, typer.Option("--recipe", "-r", help="Bundled recipe name or YAML path.")]
PresetOpt = Annotated[
    str | None, typer.Option("--preset", "-p", help="Preset merged over the recipe, e.g. tiny.")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", help="Override a key: key.path=value (repeatable)."),
]


def split_list(text: str | None) -> tuple[str, ...]:
    """`--tasks a,b` -> ("a", "b")."""
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


def _load(recipe: str, preset: str | None, overrides: list[str] | None):
    from stiltx.recipe.load import load_recipe

    return load_recipe(recipe, preset=preset, overrides=overrides or [])


@app.command()
@clean_errors
def validate(recipe: RecipeOpt, preset: PresetOpt = None, set_: SetOpt = None) -> None:
    """Check a recipe (types, ranges, task names, files); report every problem at once."""
    resolved = _load(recipe, preset, set_)
    from stiltx.data.members import check_recipe_data, needs_data_check

    if needs_data_check(resolved):  # translated files and MLM corpora: named when missing
        from stiltx.toy.resolve import resolve

        check_recipe_data(resolved, resolve(resolved, console, with_model=False).data)
    console.print(f"[green]ok[/] {resolved.name}: recipe is valid")


@app.command()
@clean_errors
def train(
    recipe: RecipeOpt,
    preset: PresetOpt = None,
    set_: SetOpt = None,
    out: Annotated[
        str | None, typer.Option(help="Run directory (default runs/<name>-<time>).")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue the run in --out (default: this recipe's newest run) from its checkpoints.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the resolved recipe and mixture, then exit.")
    ] = False,
) -> None:
    """Run the three phases: intermediate training, target fine-tuning, zero-shot evaluation."""
    from stiltx.recipe.load import recipe_to_yaml

    resolved = _load(recipe, preset, set_)
    if dry_run:
        from rich.syntax import Syntax

        from stiltx.preview import mixture_preview

        text = recipe_to_yaml(resolved)
        if console.is_terminal:  # highlighted, long lines wrapped (never cut)
            console.print(Syntax(text, "yaml", background_color="default", word_wrap=True))
        else:
            print_raw(text)
        console.print(mixture_preview(resolved))
        return
    if resume and out is None:
        from stiltx.run_dir import latest_run_dir

        found = latest_run_dir(resolved)
        if found is None:
            raise StiltxError(
                f"--resume: no earlier run of {resolved.name} under {resolved.output_dir}/; "
                "pass --out RUN_DIR"
            )
        out = str(found)
        console.print(f"resuming {found}")
    import time

    from stiltx.pipeline import run

    started = time.perf_counter()
    run_dirs = run(resolved, out_dir=out, resume=resume, console=console)
    console.print(finished_line(run_dirs, time.perf_counter() - started), highlight=False)


@app.command()
@clean_errors
def translate(
    recipe: RecipeOpt,
    preset: PresetOpt = None,
    set_: SetOpt = None,
    tasks: Annotated[str | None, typer.Option(help="Comma-separated tasks (default: all).")] = None,
    languages: Annotated[
        str | None, typer.Option(help="Comma-separated languages (default: all of the recipe).")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(help="MT model id (default: intermediate.translate.model, else MarianMT)."),
    ] = None,
) -> None:
    """Machine-translate the recipe's translated members (cached on disk, resumable)."""
    from stiltx.toy.resolve import resolve
    from stiltx.translate.run import translate_recipe

    resolved = _load(recipe, preset, set_)
    data = resolve(resolved, console, with_model=False).data
    translate_recipe(
        resolved,
        data,
        tasks=split_list(tasks),
        languages=split_list(languages),
        model=model,
        console=console,
    )


@app.command()
@clean_errors
def evaluate(
    run: Annotated[str, typer.Option("--run", help="A finished run directory.")],
    tasks: Annotated[
        str | None, typer.Option(help="Comma-separated tasks (default: all of the run).")
    ] = None,
    languages: Annotated[
        str | None, typer.Option(help="Comma-separated languages or groups (default: the run's).")
    ] = None,
    split: Annotated[str | None, typer.Option(help="dev or test (default: the run's).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
) -> None:
    """Re-evaluate the saved models of a finished run, without training."""
    import json
    from pathlib import Path

    from stiltx.reevaluate import evaluate_run
    from stiltx.report.run_summary import aggregate_table, run_table

    results = evaluate_run(
        Path(run),
        tasks=split_list(tasks),
        languages=split_list(languages),
        split=split,
        console=err_console if json_out else console,
    )
    if json_out:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    console.print(run_table(results))
    console.print(aggregate_table(results))


recipes_app = typer.Typer(
    help="List, show and copy the bundled recipes.", invoke_without_command=True
)
app.add_typer(recipes_app, name="recipes")


@recipes_app.callback()
@clean_errors
def recipes_list(ctx: typer.Context) -> None:
    """List the bundled recipes (with no sub-command)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from stiltx.recipe.find import list_recipes

    table = Table(title="Bundled recipes")
    table.add_column("name", style="bold cyan")
    table.add_column("what it reproduces")
    for info in list_recipes(include_presets=True):
        table.add_row(info.name, info.summary)
    console.print(table)


@recipes_app.command("show")
@clean_errors
def recipes_show(name: str) -> None:
    """Print a bundled recipe's YAML."""
    from stiltx.recipe.find import find_recipe

    print_whole(console, find_recipe(name).read_text(encoding="utf-8"))


@recipes_app.command("copy")
@clean_errors
def recipes_copy(name: str, dest: str) -> None:
    """Copy a bundled recipe to DEST (a file or folder) to start your own."""
    from pathlib import Path

    from stiltx import atomic
    from stiltx.recipe.find import find_recipe

    source = find_recipe(name)
    target = Path(dest)
    if target.is_dir():
        target = target / source.name
    if target.exists():
        raise StiltxError(f"{target} exists; not overwriting it")
    text = source.read_text(encoding="utf-8")
    if "extends:" in text and not text.startswith("extends: /"):
        # Inline the parents so the copy stands on its own outside the bundled folder.
        import yaml

        from stiltx.recipe.load import read_tree

        tree = read_tree(source)
        comments = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
        text = comments + yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
    atomic.write_text(target, text)
    console.print(f"copied {name} -> {target}")


@app.command("report")
@clean_errors
def report(
    paths: Annotated[list[str], typer.Argument(help="Run directories, folders of runs, or globs.")],
    baseline: Annotated[
        str | None,
        typer.Option(help="Baseline recipe name or run directory (default: 'direct' if present)."),
    ] = None,
    benchmark: Annotated[
        str | None, typer.Option(help="xtreme, xtreme-r or toy (default: each run's own).")
    ] = None,
    group_by: Annotated[
        str, typer.Option(help="Per-language view: task, language, family, script or resource.")
    ] = "family",
    languages: Annotated[
        list[str] | None,
        typer.Option("--languages", help="Codes or groups (low-resource, niger-congo, ...)."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, md, csv, latex, html or json.")
    ] = "table",
    out: Annotated[
        str | None, typer.Option(help="Folder for the export and plots (default ./report).")
    ] = None,
    plot: Annotated[
        bool,
        typer.Option(
            "--plot", help="Write delta plots, per-language scores, learning curves, mixture."
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the paired bootstrap.")] = 0,
    view: Annotated[
        str,
        typer.Option(help="all, or transfer (a sweep: transfer matrix, selection, X-STILTs)."),
    ] = "all",
    paper: Annotated[
        bool,
        typer.Option("--paper", help="Add paper tables: shared-task summary, XTREME per-language."),
    ] = False,
    latex_layout: Annotated[
        str,
        typer.Option(help="LaTeX: 'column' (fits one column) or 'wide' (table* over both)."),
    ] = "column",
    label_prefix: Annotated[
        str, typer.Option(help="LaTeX: prefix of every \\label (default tab:).")
    ] = "tab:",
) -> None:
    """Compare runs and recipes against a baseline: tables, intervals, plots and exports."""
    from pathlib import Path

    from stiltx import atomic
    from stiltx.report import export
    from stiltx.report.results import find_runs
    from stiltx.report.tables import GROUP_BYS, build_report
    from stiltx.report.transfer import TRANSFER_KEYS

    if fmt not in export.FORMATS:
        raise StiltxError(f"--format '{fmt}': expected one of {', '.join(export.FORMATS)}")
    if group_by not in GROUP_BYS:
        raise StiltxError(f"--group-by '{group_by}': expected one of {', '.join(GROUP_BYS)}")
    from stiltx.report.latex import LAYOUTS

    if latex_layout not in LAYOUTS:
        raise StiltxError(f"--latex-layout '{latex_layout}': expected one of {', '.join(LAYOUTS)}")
    options = {"latex_layout": latex_layout, "label_prefix": label_prefix}
    langs = [x for item in languages or [] for x in item.replace(",", " ").split()]
    found = find_runs(paths)
    if found.skipped:
        shown = ", ".join(str(p) for p in found.skipped[:3])
        more = f" and {len(found.skipped) - 3} more" if len(found.skipped) > 3 else ""
        err_console.print(
            f"[dim]{len(found.skipped)} folder(s) without results.json not read: {escape(shown)}"
            f"{more}[/]",
            highlight=False,
        )
    to_stdout = fmt not in ("table", "html") and out is None
    out_dir = Path(out or "report")
    if plot or (not to_stdout and fmt != "table"):
        atomic.writable_dir(out_dir, "--out")
    plots = {}
    if view not in ("all", "transfer"):
        raise StiltxError(f"--view '{view}': expected all or transfer")
    if view == "transfer":
        from stiltx.report.transfer import transfer_report

        result, plots = transfer_report(paths, found, out_dir if plot else None)
    else:
        result = build_report(
            found, baseline=baseline, benchmark=benchmark, languages=langs or None,
            group_by=group_by, seed=seed,
        )  # fmt: skip
        if paper:
            from stiltx.report.paper import with_paper_tables

            result = with_paper_tables(result)
    if plot and view == "all":
        from stiltx.report.plots import write_plots

        plots = write_plots(result, out_dir)
        if not plots:
            err_console.print("[yellow]no plots[/]: the runs have no scores or training logs")
    if to_stdout:
        sys.stdout.write(export.render(result, fmt, plots, **options))
        return
    keys = ("overview", "delta", "paper:summary", *TRANSFER_KEYS)
    shown = [t for t in result.tables if t.key in keys]
    for table in shown if fmt != "table" else result.tables:
        console.print(export.rich_table(table, width=console.width))
    if fmt != "table":
        target = atomic.write_text(
            out_dir / export.EXTENSIONS[fmt], export.render(result, fmt, plots, **options)
        )
        console.print(f"wrote {target}", highlight=False)
    for path in plots.values():
        console.print(f"wrote {path}", highlight=False)


@app.command("sweep")
@clean_errors
def sweep(
    recipes: Annotated[
        str | None,
        typer.Option(help="Comma-separated recipes; globs over bundled names and paths."),
    ] = None,
    seeds: Annotated[
        str, typer.Option(help="Seeds: 1,2,3 or 1-3 (one job per recipe x seed).")
    ] = "1",
    preset: PresetOpt = None,
    set_: SetOpt = None,
    out: Annotated[str | None, typer.Option(help="The sweep folder (one run dir per job).")] = None,
    executor: Annotated[str, typer.Option(help="local or slurm (submitit).")] = "local",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the jobs and exit.")] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip finished jobs, resume unfinished ones.")
    ] = False,
    status: Annotated[
        str | None, typer.Option("--status", help="Show the jobs of the sweep in this folder.")
    ] = None,
    gpus: Annotated[
        str | None,
        typer.Option(
            help="local: devices to spread jobs over, e.g. 0,1,2,3; a device listed k times "
            "runs k jobs at once (0,0,0,0: four small jobs share GPU 0)."
        ),
    ] = None,
    gpus_per_job: Annotated[int, typer.Option(help="GPUs per job (>1: accelerate launch).")] = 1,
    partition: Annotated[str | None, typer.Option(help="slurm: partition.")] = None,
    time_limit: Annotated[int, typer.Option(help="slurm: minutes per job.")] = 24 * 60,
    array_parallelism: Annotated[int, typer.Option(help="slurm: jobs at a time.")] = 64,
    sbatch: Annotated[
        list[str] | None, typer.Option(help="slurm: extra sbatch argument KEY=VALUE (repeatable).")
    ] = None,
) -> None:
    """Run the paper's grid: recipes x seeds as jobs (locally or on Slurm), then the transfer tables."""
    from stiltx.sweep.driver import sweep_command

    failed = sweep_command(
        recipes, seeds, preset, set_ or [], out, executor, dry_run, resume, status, gpus,
        gpus_per_job, partition, time_limit, array_parallelism, sbatch or [], console,
    )  # fmt: skip
    if failed:
        raise typer.Exit(1)


@app.command("push")
@clean_errors
def push(
    run_dir: Annotated[str, typer.Argument(help="A finished run directory.")],
    repo_id: Annotated[str, typer.Option("--repo-id", help="Hub repo, e.g. me/xlmr-stilts-mt9.")],
    what: Annotated[
        str, typer.Option(help="'intermediate' or 'target:<task>' (e.g. target:xnli).")
    ] = "intermediate",
    private: Annotated[bool, typer.Option("--private", help="Create a private repo.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write the folder that would be uploaded; no upload.")
    ] = False,
    out: Annotated[
        str | None, typer.Option(help="Folder to assemble in (default ./push-<repo name>).")
    ] = None,
) -> None:
    """Share a run's model on the Hugging Face Hub with a model card (recipe, mixture, results)."""
    from pathlib import Path

    from stiltx.report.push import build_folder, plan_push, upload

    plan = plan_push(run_dir, what)
    folder = build_folder(plan, repo_id, Path(out or f"push-{repo_id.split('/')[-1]}"))
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    console.print(
        f"{plan.what} of {plan.run_dir} -> {folder} ({len(files)} files)", highlight=False
    )
    for name in files:
        console.print(f"  {name}", highlight=False, markup=False)
    if dry_run:
        console.print(
            f"dry run: nothing uploaded; `stiltx push ... --repo-id {repo_id}` uploads it"
        )
        return
    console.print(f"uploaded: {upload(folder, repo_id, private)}", highlight=False)


@app.command("tasks")
@clean_errors
def tasks_list(
    kind: Annotated[str | None, typer.Option(help="Only this kind, e.g. tagging.")] = None,
    benchmark: Annotated[
        str | None, typer.Option(help="Only the tasks of a benchmark: xtreme, xtreme-r or toy.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of tasks.")] = False,
) -> None:
    """List every registered task: name, kind, role, languages, sources, metric."""
    from stiltx.data.tasks_view import task_records, task_rows, tasks_tables

    if as_json:
        import json

        print_raw(json.dumps(task_records(kind=kind, benchmark=benchmark), ensure_ascii=False))
        return
    for table in tasks_tables(task_rows(kind=kind, benchmark=benchmark), console.width):
        console.print(table)


@app.command("score")
@clean_errors
def score(
    task: Annotated[str, typer.Argument(help="Task name, e.g. xquad.")],
    gold: Annotated[
        str | None, typer.Option("--gold", help="Gold file in the task's native format.")
    ] = None,
    predictions: Annotated[
        str | None,
        typer.Option(
            "--predictions",
            help="QA: JSON {question_id: answer}; else jsonl {id?, prediction} per example.",
        ),
    ] = None,
    embeddings: Annotated[
        str | None,
        typer.Option("--embeddings", help="Tatoeba: .npy of the xx sentences' embeddings."),
    ] = None,
    english_embeddings: Annotated[
        str | None,
        typer.Option("--english-embeddings", help="Tatoeba: .npy of their English translations."),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="Language (default: from the gold file name; required for MLQA)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score another system's predictions (or Tatoeba embeddings) with stiltx's metric code."""
    import json

    from rich.table import Table

    if embeddings or english_embeddings:
        from stiltx.evaluation.score_embeddings import score_embeddings

        if not (embeddings and english_embeddings) or gold or predictions:
            raise StiltxError(
                "give --embeddings and --english-embeddings together (and neither --gold nor "
                "--predictions)"
            )
        result = score_embeddings(task, language, embeddings, english_embeddings)
    else:
        from stiltx.evaluation.score_files import score_files

        if not (gold and predictions):
            raise StiltxError(
                "give --gold and --predictions (or, for tatoeba, --embeddings and "
                "--english-embeddings)"
            )
        result = score_files(task, gold, predictions, language=language)
    if as_json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
        return
    table = Table(
        title=f"{result.task} ({result.language or 'language not given'})",
        caption=f"{result.num_predictions} predictions, {result.num_examples} gold examples",
    )
    table.add_column("metric", style="bold cyan")
    table.add_column("value (%)", justify="right")
    for name, value in result.metrics.items():
        table.add_row(name, f"{value:.2f}")
    console.print(table)


data_app = typer.Typer(help="Inspect task data (local files or the Hub).", no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("inspect")
@clean_errors
def data_inspect(
    task: Annotated[str, typer.Argument(help="Task name, e.g. xnli.")],
    language: Annotated[str | None, typer.Option(help="Language (default: the first).")] = None,
    split: Annotated[str | None, typer.Option(help="Split (default: dev, else the first).")] = None,
    data_dir: Annotated[
        str | None, typer.Option("--data-dir", help="Local data directory (else the Hub).")
    ] = None,
    file: Annotated[
        str | None, typer.Option("--file", help="Read this one native file directly.")
    ] = None,
    recipe: Annotated[
        str | None,
        typer.Option("--recipe", "-r", help="Read where this recipe reads (e.g. the toy world)."),
    ] = None,
    preset: PresetOpt = None,
    set_: SetOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Read one split and print the number of examples and the first three."""
    import json

    from stiltx.data.inspect import inspect_split

    if sum(x is not None for x in (data_dir, file, recipe)) > 1:
        raise StiltxError("give one of --data-dir, --file or --recipe")
    if (preset or set_) and not recipe:
        raise StiltxError("--preset / --set need --recipe (e.g. --recipe multitask9 --preset tiny)")
    data = None
    if recipe:
        from stiltx.toy.resolve import resolve

        data = resolve(_load(recipe, preset, set_), err_console, with_model=False).data
    report = inspect_split(task, language, split, data_dir=data_dir, file=file, data=data)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    console.print(
        f"[bold]{report['task']}[/] {report['language']}/{report['split']}: "
        f"{report['num_examples']} examples"
    )
    for example in report["examples"]:
        console.print(json.dumps(example, ensure_ascii=False, indent=2), markup=False)


@data_app.command("prepare")
@clean_errors
def data_prepare(recipe: RecipeOpt, preset: PresetOpt = None, set_: SetOpt = None) -> None:
    """Read and encode every split a recipe needs into the encoding cache (before training)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
    from rich.table import Table

    from stiltx.data.prepare import feature_cache_dir, load_tokenizer, plan, prepare
    from stiltx.toy.resolve import resolve

    resolved = _load(recipe, preset, set_)
    where = resolve(resolved, console)
    jobs = plan(resolved)
    tokenizer = load_tokenizer(where.model.name_or_path)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("preparing", total=len(jobs))
        results = prepare(
            jobs,
            tokenizer,
            where.data,
            on_start=lambda j: progress.update(bar, description=f"{j.task} {j.language}/{j.split}"),
            on_done=lambda _: progress.advance(bar),
        )
    table = Table(
        title=f"{resolved.name}: {len(results)} splits -> {feature_cache_dir(where.data)}"
    )
    for column in ("task", "language", "split", "for", "examples", "features", "cache"):
        justify = "right" if column in ("examples", "features") else "left"
        table.add_column(column, justify=justify, style="bold cyan" if column == "task" else None)
    for r in results:
        status = "[red]missing[/]" if r.missing else ("cached" if r.cached else "[green]new[/]")
        counts = ("-", "-") if r.missing else (f"{r.examples:,}", f"{r.features:,}")
        table.add_row(r.job.task, r.job.language, r.job.split, r.job.purpose, *counts, status)
    console.print(table)
    missing = [r for r in results if r.missing]
    for r in missing:
        console.print(
            f"[yellow]missing[/] {r.job.task} {r.job.language}/{r.job.split}: {escape(r.missing)}",
            highlight=False,
        )
    done = len(results) - len(missing)
    cached = sum(r.cached for r in results)
    console.print(
        f"{done} splits ready ({cached} cached, {done - cached} new), {len(missing)} missing"
    )


def main() -> None:  # pragma: no cover - console script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
