"""The recipe: one frozen, typed description of a whole experiment.

Field names are the canonical recipe keys (see DESIGN.md "Recipe keys"); the YAML mirrors this tree.
Validation lives in `load.py`; these classes only hold values and their defaults. Each stage of the
code receives only the sub-spec it needs (`recipe.intermediate.train`, `recipe.model`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Policy = Literal["uniform", "proportional", "capped", "temperature", "fixed", "annealed"]
MixedPrecision = Literal["no", "fp16", "bf16"]


@dataclass(frozen=True)
class DataConfig:
    source: Literal["hub", "local", "toy"] = "hub"  # toy: the generated offline world (stiltx/toy)
    data_dir: str | None = None  # required when source == "local"; layout as ../shared/data
    cache_dir: str | None = None  # encoded-feature cache; default ~/.cache/stiltx/features
    max_examples: int | None = None  # cap per (task, language, split); for smoke runs


@dataclass(frozen=True)
class ToyConfig:
    """The embedded offline world used when `data.source: toy` / `model.name_or_path: toy`."""

    seed: int = 0
    size: Literal["default", "small", "smoke"] = "default"
    cache_dir: str | None = None  # default ~/.cache/stiltx/toy (or $STILTX_CACHE/toy)
    # The toy MT system (translated/<task>/<lang>/): share of words it drops or gets wrong, 0..1.
    mt_noise: float = 0.1


@dataclass(frozen=True)
class ModelConfig:
    name_or_path: str = "FacebookAI/xlm-roberta-large"  # Hub id, local path, or "toy" (tiny model)
    max_length: int = 256
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    attn_implementation: Literal["sdpa", "eager"] = "sdpa"
    gradient_checkpointing: bool = False


@dataclass(frozen=True)
class MethodConfig:
    kind: Literal["full", "adapter"] = "full"
    adapter: str = (
        "seq_bn"  # an `adapters` config id: seq_bn, double_seq_bn, lora, prefix_tuning, ia3, ...
    )
    adapter_options: dict[str, Any] = field(
        default_factory=dict
    )  # passed to the config, e.g. {r: 8}
    target: Literal["continue", "stack", "full"] = "continue"
    language_adapters: dict[str, str] = field(
        default_factory=dict
    )  # MAD-X: language -> adapter path/id
    # Full fine-tuning only: parameters whose name matches one of these globs stay as loaded in
    # every stage (e.g. "roberta.embeddings.*"; `stiltx.model.methods.FullFinetune`).
    freeze: tuple[str, ...] = ()
    # MAD-X 2.0 (Pfeiffer et al. 2021): language adapters leave out the model's last layer.
    # Left out of recipe.resolved.yaml (and the hash) while false.
    madx2: bool = field(default=False, metadata={"omit_if": False})


@dataclass(frozen=True)
class SamplingConfig:
    policy: Policy = "proportional"
    cap: int | None = None  # K: examples-proportional cap (capped, temperature)
    temperature: float = 1.0
    weights: dict[str, float] = field(default_factory=dict)  # policy "fixed"
    with_replacement: bool = True
    anneal_steps: int | None = None  # policy "annealed": steps to reach the end distribution


@dataclass(frozen=True)
class TrainConfig:
    lr: float = 1e-5
    batch_size: int = 32
    grad_accum: int = 1
    max_steps: int | None = None  # wins over epochs when set
    epochs: float | None = None
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    max_length: int | None = None  # None: model.max_length (QA targets use 384)
    eval_every: int = 1000
    eval_examples: int = 500  # English dev examples per task at each evaluation
    save_every: int = 1000
    keep_checkpoints: int = 2
    patience: int | None = None  # evaluations without improvement before stopping
    # "best": the best English-dev evaluation; "last": the final weights, no dev evaluation;
    # None: the task's default (TaskSpec.select; TyDiQA: last, as XTREME's train_qa.sh).
    select: Literal["best", "last"] | None = None
    mixed_precision: MixedPrecision = "no"
    # Pad each batch to the smallest of this many lengths (max_length x k / n, k = 1..n) instead
    # of its longest row: a few shapes, so `compile` does not recompile every step. 0: off.
    length_buckets: int = 0
    compile: bool = False  # torch.compile the model (worth it on a GPU with length_buckets)
    log_every: int = 50
    log_with: tuple[str, ...] = ()  # accelerate trackers: tensorboard, wandb, mlflow


@dataclass(frozen=True)
class TrainOverride:
    """A partial TrainConfig: the keys one target task sets (`target.overrides.<task>`).

    `values` holds them typed (keys not in `keys` keep TrainConfig's defaults and are unused);
    `keys` names the ones given, in recipe order, so `max_steps: null` is an override too."""

    values: TrainConfig = TrainConfig()
    keys: tuple[str, ...] = ()

    def apply(self, base: TrainConfig) -> TrainConfig:
        """`base` with the given keys replaced."""
        return replace(base, **self.as_dict())

    def as_dict(self) -> dict[str, Any]:
        """The given keys and their values, as the recipe wrote them."""
        return {key: getattr(self.values, key) for key in self.keys}


@dataclass(frozen=True)
class TranslateConfig:
    """The machine-translated-data baseline: English intermediate tasks also in other languages."""

    languages: tuple[str, ...] = ()  # codes, groups, or "target" (the evaluation languages)
    english: bool = True  # keep the English members too (false: translated-only)
    model: str | None = (
        None  # `stiltx translate`: MT model id; default Helsinki-NLP/opus-mt-en-<lang>
    )
    batch_size: int = 16  # `stiltx translate`: sentences per generate() call
    max_length: int = 512  # `stiltx translate`: max tokens of a source / translated text


@dataclass(frozen=True)
class MLMConfig:
    """Continued masked language modelling (members `mlm@<language>`)."""

    probability: float = 0.15  # masked share of tokens (80% <mask>, 10% random, 10% kept)
    tokens_per_language: int = 5_000_000  # Hub corpus (Wikipedia): streamed until this many tokens


@dataclass(frozen=True)
class MadxConfig:
    """MAD-X (Pfeiffer et al. 2020): one language adapter per language, trained by MLM on that
    language's text with the encoder frozen, cached across runs (stiltx/train/language_adapters.py).
    Task adapters train on `Stack(<en>, task)`; evaluation swaps in each language's adapter."""

    languages: tuple[str, ...] = ()  # codes, groups or "target" (the evaluation languages); + en
    adapter: str = "seq_bn_inv"  # an adapters config id; MAD-X: pfeiffer+inv (= seq_bn_inv)
    adapter_options: dict[str, Any] = field(default_factory=dict)
    seed: int = 0  # one adapter per language, whatever the run's seed: reused across seeds
    train: TrainConfig = TrainConfig(lr=1e-4, batch_size=64, max_steps=50_000)
    mlm: MLMConfig = MLMConfig()  # masking; Hub text budget (tokens_per_language)
    cache_dir: str | None = None  # default <stiltx cache>/language-adapters


@dataclass(frozen=True)
class CombineConfig:
    """One model per intermediate task (each trained on `intermediate.train` alone, or taken from
    `from`), then combined instead of trained as one mixture (recipes merge/*, fusion/*)."""

    # merge: one encoder; fusion: AdapterFusion per target. Required, so that a stray
    # `--set intermediate.combine.<key>` never turns a mixture recipe into a merge.
    kind: Literal["merge", "fusion"]
    merge: Literal["average", "task_arithmetic", "ties"] = "average"  # stiltx/model/merge.py
    # Grids, each point chosen on the targets' English dev (task arithmetic: scales; TIES: both)
    scales: tuple[float, ...] = (1.0,)
    densities: tuple[float, ...] = (1.0,)  # TIES: the share of each task vector kept
    # One per task, in `tasks` order: run dirs, saved models or Hub ids; or a sweep dir (its
    # single-<task>/seed-<seed> runs). Empty: trained in this run.
    from_: tuple[str, ...] = field(default=(), metadata={"key": "from"})


@dataclass(frozen=True)
class IntermediateConfig:
    # members: `mnli` (English), `mnli@de` (translated), `mlm@sw`, `mlm@xtreme` (a group), `mlm@target`
    tasks: tuple[str, ...] = ()
    # YAML key `from`: reuse this intermediate model instead of training one (a stiltx run dir,
    # a saved model dir, or a Hub id); `tasks` then only documents what it was trained on.
    from_: str | None = field(default=None, metadata={"key": "from"})
    sampling: SamplingConfig = SamplingConfig()
    train: TrainConfig = TrainConfig()
    translate: TranslateConfig = TranslateConfig()
    mlm: MLMConfig = MLMConfig()
    # null: the mixture. Left out of recipe.resolved.yaml (and the hash) while null.
    combine: CombineConfig | None = field(default=None, metadata={"omit_if": None})


@dataclass(frozen=True)
class TargetConfig:
    benchmark: Literal["xtreme", "xtreme-r", "toy"] = "xtreme"  # toy: XTREME on the toy languages
    tasks: tuple[str, ...] = ()  # empty: every trainable task of the benchmark
    train: TrainConfig = TrainConfig()
    # `target.overrides.<task>`: the train keys one target task sets differently. A command-line
    # `--set target.train.<key>=...` replaces that key in every override too (recipe/load.py).
    overrides: dict[str, TrainOverride] = field(default_factory=dict)
    # Target heads start fresh (jiant); true: load the intermediate head a target shares by name
    # (nli for xnli, squad for xquad / mlqa) before target training.
    warm_start_heads: bool = False
    # Target stages side by side: auto (one per GPU, else one per CPU core, 1 thread each) or N.
    parallel: int | Literal["auto"] = "auto"


@dataclass(frozen=True)
class RetrievalConfig:
    tasks: tuple[str, ...] = ()
    # hidden_states index: 0 = embeddings, -1 = the last layer (negative counts from the end);
    # None: the protocol's (14/24 of the depth; XTREME's BUCC: depth - 4)
    layer: int | None = None
    pooling: Literal["mean", "cls"] | None = None  # None: the protocol's
    # BUCC's pooling and layer: jiant's (the paper's: mean, 14/24 of the depth) or XTREME's
    # run_bucc2018.sh (cls, hidden_states[depth - 4]); stiltx/evaluation/retrieval_protocol.py
    protocol: Literal["jiant", "xtreme"] = "jiant"
    batch_size: int = 64


@dataclass(frozen=True)
class EvalConfig:
    languages: tuple[str, ...] = ("all",)  # "all", ISO codes or named groups (languages.py)
    split: str = "test"
    batch_size: int = 64
    save_predictions: bool = True  # predictions/<task>/<language>.jsonl of every target


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str = ""
    seed: int = 42
    seeds: tuple[int, ...] = ()  # several seeds: one run each
    output_dir: str = "runs"
    data: DataConfig = DataConfig()
    toy: ToyConfig = ToyConfig()
    model: ModelConfig = ModelConfig()
    method: MethodConfig = MethodConfig()
    intermediate: IntermediateConfig | None = IntermediateConfig()  # None: direct fine-tuning
    # null: no language adapters trained. Left out of recipe.resolved.yaml (and the hash) while null.
    madx: MadxConfig | None = field(default=None, metadata={"omit_if": None})
    target: TargetConfig = TargetConfig()
    retrieval: RetrievalConfig = RetrievalConfig()
    eval: EvalConfig = EvalConfig()
