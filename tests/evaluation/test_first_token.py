"""The last layer computed for the first token only: same logits, less work, and only where it
applies (real tiny `adapters` models with adapters of every kind stiltx trains)."""

from __future__ import annotations

import pytest
import torch

from stiltx.evaluation.first_token import first_token_only

adapters = pytest.importorskip("adapters")
from adapters.composition import Fuse, Parallel, Stack  # noqa: E402


@pytest.fixture()
def model(tiny_model_dir):
    torch.manual_seed(0)
    model = adapters.AutoAdapterModel.from_pretrained(tiny_model_dir)
    for name in list(model.heads):
        model.delete_head(name)
    model.add_classification_head("c", num_labels=3)
    model.add_multiple_choice_head("m", num_choices=2)
    model.add_tagging_head("t", num_labels=5)
    return model.eval()


def _batch(model, rows=6, width=20, choices=0):
    generator = torch.Generator().manual_seed(1)
    vocab = model.config.vocab_size
    ids = torch.randint(5, vocab, (rows, width), generator=generator)
    mask = torch.ones_like(ids)
    for row in range(1, rows):  # rows of different lengths: padding in the last layer's keys
        mask[row, width - 2 * row :] = 0
    ids[mask == 0] = model.config.pad_token_id
    if choices:
        return ids.view(-1, choices, width), mask.view(-1, choices, width)
    return ids, mask


def _scramble(model, names):
    """Adapters start as identities (zero up-projections, LoRA B = 0): give them weights."""
    generator = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if any(n in name for n in names):
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.2)


def _both(model, head, ids, mask):
    with torch.inference_mode():
        full = model(input_ids=ids, attention_mask=mask, head=head).logits
        with first_token_only(model, head) as shortened:
            fast = model(input_ids=ids, attention_mask=mask, head=head).logits
    return shortened, full, fast


def _setups(model):
    yield "full fine-tuning", None
    for method in ("seq_bn", "lora", "prefix_tuning"):
        model.add_adapter(method, config=method)
        _scramble(model, [method])
        model.set_active_adapters(method)
        yield method, method
        model.delete_adapter(method)
    # MAD-X: a language adapter under the task adapter
    model.add_adapter("sw", config="seq_bn_inv")
    model.add_adapter("task", config="seq_bn")
    _scramble(model, ["sw", "task"])
    model.set_active_adapters(Stack("sw", "task"))
    yield "madx stack", Stack("sw", "task")
    # AdapterFusion over two task adapters
    model.add_adapter("other", config="seq_bn")
    _scramble(model, ["other"])
    model.add_adapter_fusion(Fuse("task", "other"))
    _scramble(model, ["adapter_fusion_layer"])
    model.set_active_adapters(Fuse("task", "other"))
    yield "fusion", Fuse("task", "other")


def test_first_token_logits_equal_the_full_layer_for_every_adapter_setup(model):
    ids, mask = _batch(model)
    mc_ids, mc_mask = _batch(model, rows=6, choices=2)
    seen = []
    for label, _ in _setups(model):
        for head, (i, m) in (("c", (ids, mask)), ("m", (mc_ids, mc_mask))):
            shortened, full, fast = _both(model, head, i, m)
            assert shortened, (label, head)
            assert fast.shape == full.shape
            torch.testing.assert_close(fast, full, atol=1e-5, rtol=1e-5, msg=label)
            assert torch.equal(fast.argmax(-1), full.argmax(-1))
        seen.append(label)
    assert len(seen) == 6


def test_the_last_layer_runs_one_position_and_is_restored(model):
    layer = model.base_model.encoder.layer[-1]
    widths = []
    handle = layer.intermediate.register_forward_hook(
        lambda module, inputs, output: widths.append(inputs[0].shape[1])
    )
    ids, mask = _batch(model, width=20)
    try:
        _both(model, "c", ids, mask)
    finally:
        handle.remove()
    assert widths == [20, 1]  # the full layer, then the first token only
    assert "forward" not in vars(layer)  # the class's forward again

    with pytest.raises(ZeroDivisionError):
        with first_token_only(model, "c"):
            raise ZeroDivisionError
    assert "forward" not in vars(layer)  # restored after an error too


def test_heads_reading_every_position_and_parallel_setups_run_the_full_layer(model):
    ids, mask = _batch(model)
    shortened, full, fast = _both(model, "t", ids, mask)
    assert not shortened and torch.equal(full, fast)
    model.add_adapter("a", config="seq_bn")
    model.add_adapter("b", config="seq_bn")
    model.active_adapters = Parallel("a", "b")
    with first_token_only(model, "c") as shortened:
        assert not shortened
    with first_token_only(model, "no such head") as shortened:
        assert not shortened


def test_attentions_requested_inside_the_block_are_refused(model):
    ids, mask = _batch(model)
    model.config._attn_implementation = "eager"
    with torch.inference_mode(), first_token_only(model, "c"):
        with pytest.raises(RuntimeError, match="attentions were requested"):
            model(input_ids=ids, attention_mask=mask, head="c", output_attentions=True)
