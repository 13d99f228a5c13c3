"""One process of the multi-process evaluation test (run by test_shard.py, not collected).

Usage: python shard_worker.py MODEL_DIR DATA_DIR OUT_DIR. Under torch.distributed environment
variables (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) accelerate's PartialState joins a gloo
group on CPU. Evaluates XNLI (classification) and PAN-X (tagging) zero-shot, PAN-X English dev
as model selection does, scores Tatoeba from the encoder, and writes OUT_DIR/rank-<r>.json: the
scores, and how many examples / dev examples this process predicted and sentences it embedded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(model_dir: str, data_dir: str, out_dir: str, cpu: bool = False) -> None:
    import torch
    from accelerate import PartialState

    from stiltx.evaluation import predict as predict_module
    from stiltx.evaluation import retrieval

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    state = PartialState(cpu=True) if cpu else PartialState()
    predicted = {"n": 0, "embedded": 0}
    real_predict, real_embed = predict_module.predict, retrieval.embed

    def counting_predict(model, head, encoded, **kwargs):  # counts this process's share
        predicted["n"] += encoded.num_examples
        return real_predict(model, head, encoded, **kwargs)

    def counting_embed(model, tokenizer, texts, **kwargs):
        predicted["embedded"] += len(texts)
        return real_embed(model, tokenizer, texts, **kwargs)

    predict_module.predict, retrieval.embed = counting_predict, counting_embed
    try:
        _evaluate(model_dir, data_dir, Path(out_dir), state, predicted)
    finally:
        predict_module.predict, retrieval.embed = real_predict, real_embed
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
    # English-dev model selection (what the training loop calls): PAN-X en dev through its head
    from stiltx.data.load import load_split
    from stiltx.encoding import encode_split
    from stiltx.train.stage import dev_eval_fn

    panx = get_task("panx")
    dev = encode_split(panx, load_split(panx, "en", "dev", data), tokenizer, 64, training=False)
    before = predicted["n"]
    model.eval()
    selection = dev_eval_fn([panx], {"panx": dev}, 16)(model)
    scores.append(["panx", "en", "dev-selection", selection["panx"]])
    predicted["dev"] = predicted["n"] - before
    predicted["n"] = before

    from stiltx.evaluation.retrieval import score_task

    model.eval()
    tatoeba = score_task(get_task("tatoeba"), ("de",), model=model, tokenizer=tokenizer,
                         data=data, layer=None, batch_size=16)  # fmt: skip
    assert not tatoeba.missing, tatoeba.missing
    scores += [[s.task, s.language, s.metric, s.value] for s in tatoeba.scores]
    result = {"world": state.num_processes, "scores": scores, "predicted": predicted["n"],
              "dev": predicted["dev"], "embedded": predicted["embedded"]}  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    (out / f"rank-{state.process_index}.json").write_text(json.dumps(result))
    # leave the gloo group before exiting: torn down at interpreter exit instead, its threads
    # can abort the process ("terminate called without an active exception", exit -6)
    state.wait_for_everyone()
    state.destroy_process_group()


if __name__ == "__main__":
    main(*sys.argv[1:4], cpu=True)
