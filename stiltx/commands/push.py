"""`stiltx push RUN --repo-id ID`: share a run's model on the Hugging Face Hub."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stiltx.commands.options import console


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
    from stiltx.share.push import build_folder, check_repo_id, plan_push, upload  # start-up

    check_repo_id(repo_id)
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
