"""FullFinetune / AdapterTuning on a real tiny model: what trains, save/load, target transitions."""

from __future__ import annotations

import adapters
import pytest
import torch
from adapters import Stack

from stiltx.errors import StiltxError
from stiltx.model.build import HeadSpec, build_model
from stiltx.model.methods import AdapterTuning, FullFinetune, make_method, prepare_target
from stiltx.recipe.schema import MethodConfig, ModelConfig
from stiltx.tasks.spec import TaskKind

HEADS = {
    "nli": HeadSpec(TaskKind.CLASSIFICATION, num_labels=3),
    "pos": HeadSpec(TaskKind.TAGGING, num_labels=4),
}
TARGET = {"pawsx": HeadSpec(TaskKind.CLASSIFICATION, num_labels=2)}
CONFIGS = [
    ("seq_bn", {"reduction_factor": 4}),
    ("double_seq_bn", {}),
    ("lora", {"r": 4, "alpha": 8}),
    ("prefix_tuning", {"prefix_length": 5}),
    ("ia3", {}),
]


@pytest.fixture
def build(tiny_model_dir):
    def make(heads=HEADS):
        model, _ = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), heads)
        return model

    return make


def inputs(model, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(5, model.config.vocab_size, (3, 9), generator=gen)


def randomize(model, where: str) -> None:
    """Give adapter / head weights non-trivial values (LoRA starts as the identity)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if where in name:
                p.normal_(0, 0.2)


def logits(model, ids, head="nli"):
    model.eval()
    with torch.no_grad():
        return model(input_ids=ids, head=head).logits


@pytest.mark.parametrize(("config", "options"), CONFIGS, ids=[c for c, _ in CONFIGS])
def test_adapter_trains_only_the_adapter_and_used_heads(build, config, options):
    model = build()
    AdapterTuning(config, options).prepare(model, ["nli"])
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert any(".stilt." in n for n in trainable)
    assert all(".stilt." in n or n.startswith("heads.nli.") for n in trainable), trainable
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    model.train()
    ids = inputs(model)
    model(input_ids=ids, labels=torch.tensor([0, 1, 2]), head="nli").loss.backward()
    torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1.0).step()
    for name, p in model.named_parameters():
        if not p.requires_grad:
            assert torch.equal(p, before[name]), name


def test_adapter_tuning_with_an_mlm_head_keeps_the_tied_word_embeddings_frozen(build):
    # the MLM head's decoder weight is the word-embedding matrix: training the head must not
    # train the embeddings (baselines/mlm with method.kind=adapter trained them before)
    model = build({"mlm": HeadSpec(TaskKind.MLM)})
    AdapterTuning("seq_bn", {"reduction_factor": 4}).prepare(model, ["mlm"])
    embeddings = model.get_input_embeddings().weight
    assert not embeddings.requires_grad
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert any(".stilt." in n for n in trainable) and any(
        n.startswith("heads.mlm.") for n in trainable
    )
    assert all(".stilt." in n or n.startswith("heads.mlm.") for n in trainable), trainable


def test_full_finetune_trains_everything(build):
    model = build()
    FullFinetune().prepare(model, ["nli"])
    assert all(p.requires_grad for p in model.parameters())


def test_bad_adapter_config_is_a_clean_error(build):
    with pytest.raises(StiltxError, match="method.adapter: cannot build adapter config 'lorra'"):
        AdapterTuning("lorra").prepare(build(), ["nli"])
    with pytest.raises(StiltxError, match="'lora' with options"):
        AdapterTuning("lora", {"rank": 4}).prepare(build(), ["nli"])


@pytest.mark.parametrize("config", ["seq_bn", "lora"])
def test_saved_adapter_loads_with_the_plain_adapters_api(build, tiny_model_dir, tmp_path, config):
    model = build()
    method = AdapterTuning(config)
    method.prepare(model, ["nli"])
    randomize(model, ".stilt.")
    ids = inputs(model)
    expected = logits(model, ids)
    method.save(model, tmp_path)
    assert (tmp_path / "adapter" / "adapter.safetensors").exists()
    assert (tmp_path / "heads" / "nli" / "model_head.safetensors").exists()

    plain = adapters.AutoAdapterModel.from_pretrained(tiny_model_dir)
    name = plain.load_adapter(str(tmp_path / "adapter"), use_safetensors=True)
    plain.load_head(str(tmp_path / "heads" / "nli"), use_safetensors=True)
    plain.set_active_adapters(name)
    assert torch.equal(logits(plain, ids), expected)

    again = build()
    AdapterTuning(config).load(again, tmp_path)
    again.set_active_adapters("stilt")
    assert torch.equal(logits(again, ids), expected)


def test_full_model_saves_and_loads(build, tmp_path):
    model = build()
    FullFinetune().prepare(model, ["nli"])
    randomize(model, "encoder.layer.0.")
    ids = inputs(model)
    expected = logits(model, ids)
    FullFinetune().save(model, tmp_path)
    reloaded = adapters.AutoAdapterModel.from_pretrained(tmp_path)
    assert torch.equal(logits(reloaded, ids), expected)
    fresh = build()
    FullFinetune().load(fresh, tmp_path)
    assert torch.equal(logits(fresh, ids), expected)


def _intermediate(build, tmp_path, config="seq_bn"):
    model = build()
    method = AdapterTuning(config)
    method.prepare(model, ["nli"])
    randomize(model, ".stilt.")
    method.save(model, tmp_path / "inter")
    return model


def test_target_continue_keeps_training_the_intermediate_adapter(build, tmp_path):
    _intermediate(build, tmp_path)
    cfg = MethodConfig(kind="adapter", adapter="seq_bn", target="continue")
    model = build({})
    method = prepare_target(model, cfg, tmp_path / "inter", TARGET)
    method.prepare(model, ["pawsx"])
    assert model.active_adapters == Stack("stilt") or str(model.active_adapters) == "stilt"
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert all(".stilt." in n or n.startswith("heads.pawsx.") for n in trainable)
    assert any(n.startswith("heads.pawsx.") for n in trainable)


def test_target_stack_trains_a_new_adapter_on_the_frozen_one(build, tmp_path):
    inter = _intermediate(build, tmp_path)
    cfg = MethodConfig(kind="adapter", adapter="seq_bn", target="stack")
    model = build({})
    method = prepare_target(model, cfg, tmp_path / "inter", TARGET)
    method.prepare(model, ["pawsx"])
    assert model.active_adapters == Stack("stilt", "target")
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert any(".target." in n for n in trainable)
    assert all(".target." in n or n.startswith("heads.pawsx.") for n in trainable), trainable
    frozen = dict(model.named_parameters())
    for name, p in inter.named_parameters():
        if ".stilt." in name:
            assert torch.equal(frozen[name], p) and not frozen[name].requires_grad


def test_target_full_merges_lora_into_the_weights(build, tmp_path):
    inter = _intermediate(build, tmp_path, config="lora")
    ids = inputs(inter)
    inter.set_active_adapters("stilt")
    expected = logits(inter, ids)
    cfg = MethodConfig(kind="adapter", adapter="lora", target="full")
    model = build({})
    # warm_start_heads: compare through the intermediate's own "nli" head
    method = prepare_target(model, cfg, tmp_path / "inter", TARGET, warm_start_heads=True)
    assert isinstance(method, FullFinetune)
    assert "stilt" not in model.adapters_config  # merged, then removed
    torch.testing.assert_close(logits(model, ids), expected, rtol=1e-5, atol=1e-6)
    method.prepare(model, ["pawsx"])
    assert all(p.requires_grad for p in model.parameters())


def test_target_full_keeps_an_unmergeable_adapter_active(build, tmp_path):
    inter = _intermediate(build, tmp_path, config="seq_bn")
    ids = inputs(inter)
    inter.set_active_adapters("stilt")
    expected = logits(inter, ids)
    model = build({})
    cfg = MethodConfig(kind="adapter", adapter="seq_bn", target="full")
    method = prepare_target(model, cfg, tmp_path / "inter", TARGET, warm_start_heads=True)
    assert torch.equal(logits(model, ids), expected)
    method.prepare(model, ["pawsx"])
    assert all(p.requires_grad for p in model.parameters())


def test_target_after_full_intermediate_loads_the_encoder(build, tmp_path):
    inter = build()
    FullFinetune().prepare(inter, ["nli"])
    randomize(inter, "encoder.layer.1.")
    FullFinetune().save(inter, tmp_path / "inter")
    model = build({})
    method = prepare_target(model, MethodConfig(kind="full"), tmp_path / "inter", TARGET)
    assert isinstance(method, FullFinetune) and "pawsx" in model.heads
    mine = dict(model.named_parameters())
    for name, p in inter.named_parameters():
        if name.startswith("roberta.encoder."):
            assert torch.equal(mine[name], p), name


def test_madx_language_adapters_stack_under_the_task_adapter(build, tiny_model_dir, tmp_path):
    paths = {}
    for language in ("en", "de"):
        lang_model = adapters.AutoAdapterModel.from_pretrained(tiny_model_dir)
        lang_model.add_adapter(language, config="seq_bn")
        lang_model.save_adapter(str(tmp_path / language), language, with_head=False)
        paths[language] = str(tmp_path / language)
    cfg = MethodConfig(kind="adapter", adapter="seq_bn", language_adapters=paths)
    model = build()
    method = make_method(cfg)
    method.prepare(model, ["nli"])
    assert model.active_adapters == Stack("en", "stilt")
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert not any(".en." in n or ".de." in n for n in trainable)
    method.activate(model, "de")
    assert model.active_adapters == Stack("de", "stilt")
    with pytest.raises(StiltxError, match="no adapter for language 'fr'"):
        method.activate(model, "fr")


def _full_intermediate_with_nli_head(build, tmp_path):
    inter = build()
    FullFinetune().prepare(inter, ["nli"])
    randomize(inter, "heads.nli.")
    FullFinetune().save(inter, tmp_path / "inter")
    return inter


@pytest.mark.parametrize("kind", ["full", "adapter"])
def test_target_heads_start_fresh_unless_warm_start_is_asked(build, tmp_path, kind):
    # xnli trains the head named "nli", as mnli did in the intermediate stage; jiant names target
    # heads after the XTREME task, so the target head must not be the intermediate one.
    if kind == "full":
        inter = _full_intermediate_with_nli_head(build, tmp_path)
        cfg = MethodConfig(kind="full")
    else:
        inter = _intermediate(build, tmp_path)
        randomize(inter, "heads.nli.")
        AdapterTuning("seq_bn").save(inter, tmp_path / "inter")
        cfg = MethodConfig(kind="adapter", adapter="seq_bn", target="continue")
    target = {"nli": HEADS["nli"]}
    trained = {n: p for n, p in inter.named_parameters() if n.startswith("heads.nli.")}
    fresh = build({})
    prepare_target(fresh, cfg, tmp_path / "inter", target)
    fresh_heads = {n: p for n, p in fresh.named_parameters() if n.startswith("heads.")}
    assert set(fresh_heads) == set(trained)  # only the target's own head, no extra ones
    assert not any(torch.equal(fresh_heads[n], p) for n, p in trained.items() if p.dim() > 1)
    warm = build({})
    prepare_target(warm, cfg, tmp_path / "inter", target, warm_start_heads=True)
    mine = dict(warm.named_parameters())
    assert all(torch.equal(mine[n], p) for n, p in trained.items())


def test_freeze_keeps_matching_parameters_as_loaded_and_trains_the_rest(build):
    model = build()
    method = make_method(MethodConfig(freeze=("roberta.embeddings.*",)))
    method.prepare(model, ["nli"])
    names = [name for name, _ in model.named_parameters()]
    frozen = {name for name, p in model.named_parameters() if not p.requires_grad}
    assert frozen == {name for name in names if name.startswith("roberta.embeddings.")}
    assert {name for name, _ in method.trainable_parameters(model)} == set(names) - frozen

    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.SGD([p for _, p in method.trainable_parameters(model)], lr=0.5)
    model(input_ids=inputs(model), head="nli", labels=torch.tensor([0, 1, 2])).loss.backward()
    optimizer.step()
    changed = {name for name, p in model.named_parameters() if not torch.equal(p, before[name])}
    assert "roberta.encoder.layer.0.attention.self.query.weight" in changed
    assert not changed & frozen


def test_freeze_patterns_that_match_nothing_or_everything_are_errors(build):
    with pytest.raises(StiltxError, match=r"method.freeze: 'encoder.layer.0.\*' matches no param"):
        FullFinetune(freeze=("encoder.layer.0.*",)).prepare(build(), ["nli"])
    with pytest.raises(StiltxError, match=r"method.freeze: \['\*'\] freezes every parameter"):
        FullFinetune(freeze=("*",)).prepare(build(), ["nli"])
