"""One process of the multi-process evaluation test (run by test_shard.py, not collected).

Usage: python shard_worker.py MODEL_DIR DATA_DIR OUT_DIR. Under torch.distributed environment
variables (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) accelerate's PartialState joins a gloo
group on CPU. Evaluates XNLI (classification) and PAN-X (tagging) zero-shot and writes
OUT_DIR/rank-<r>.json: the scores and how many examples this process predicted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(model_dir: str, data_dir: str, out_dir: str, cpu: bool = False) -> None:
    import torch
    from accelerate import PartialState

    from stiltx.evaluation import predict as predict_module

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    state = PartialState(cpu=True) if cpu else PartialState()
    predicted = {"n": 0}
    real_predict = predict_module.predict

    def counting_predict(model, head, encoded, **kwargs):  # counts this process's share
        predicted["n"] += encoded.num_examples
        return real_predict(model, head, encoded, **kwargs)

    predict_module.predict = counting_predict
    try:
        _evaluate(model_dir, data_dir, Path(out_dir), state, predicted)
    finally:
        predict_module.predict = real_predict
        torch.set_num_threads(threads)


def _evaluate(model_dir: str, data_dir: str, out: Path, state, predicted: dict) -> None:
    import torch

    from stiltx.evaluation.zero_shot import evaluate_task
    from stiltx.model.build import build_model, head_specs
    from stiltx.model.methods import FullFinetune
    from stiltx.recipe.schema import DataConfig, ModelConfig
    from stiltx.tasks.registry import get_task

    specs = [get_task("mnli"), get_task("panx")]  # the heads that read XNLI and PAN-X
    torch.manual_seed(0)  # the same random heads in every process
    model, tokenizer = build_model(ModelConfig(name_or_path=model_dir), head_specs(specs))
    data = DataConfig(source="local", data_dir=data_dir, max_examples=120)
    scores = []
    for task in ("xnli", "panx"):
        head = get_task(get_task(task).train_task or task).head_name
        evaluation = evaluate_task(
            model, FullFinetune(), tokenizer, get_task(task), ("en", "de"), head=head,
            data=data, split="dev", max_length=64, batch_size=16,
            predictions_dir=out / "predictions",
        )  # fmt: skip
        assert not evaluation.missing, evaluation.missing
        scores += [[s.task, s.language, s.metric, s.value] for s in evaluation.scores]
    result = {"world": state.num_processes, "scores": scores, "predicted": predicted["n"]}
    out.mkdir(parents=True, exist_ok=True)
    (out / f"rank-{state.process_index}.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:4], cpu=True)
