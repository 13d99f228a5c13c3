"""The embedded default: an offline toy world and a tiny pretrained model (`--preset tiny`).

`ensure_toy_world(seed=0, sizes=ToySizes(), cache_dir=None) -> ToyWorld(data_dir, model_dir, ...)`
generates, deterministically from `seed` (only `random.Random(...)` instances, never the global
RNG), a small multilingual world of simple facts: people (first + last name), numbers, places,
organisations, years, objects with attributes, and actions (buy, give, steal, eat, ...), plus a
little commonsense (a need leads to acquiring an object of a category, which leads to using it).

**Languages.** English plus four *synthetic* languages. The rest of stiltx is keyed by real ISO
codes (task language lists, language metadata, file names), so the synthetic languages reuse real
XTREME codes: in the toy world **"de", "ru", "sw" and "zh" do NOT mean German, Russian, Swahili and
Chinese**; they name invented languages that share English's meaning but differ in lexicon
(generated word forms), word order (de: SOV with postpositions; ru: SVO in a Cyrillic-like
script with case/agreement suffixes; sw: VSO with prefixes; zh: isolating with particles and
classifiers), question formation (wh-fronting vs. wh-in-situ) and morphology. Names, places,
organisations and digits are spelled identically in every language: the anchors real languages
share too. The four codes were chosen so that every XTREME / XTREME-R target task has at least
two non-English toy languages among its real language list (e.g. TyDiQA: ru, sw; XCOPA: sw, zh;
BUCC: de, ru, zh; PAWS-X: de, zh).

**Tasks.** From the same facts it writes the nine English intermediate tasks (ANLI, MNLI, QQP,
SQuAD, HellaSwag, Cosmos QA, CommonsenseQA, SocialIQA, CCG), English COPA, the target tasks in
every language (XNLI, PAWS-X, UD-POS, PAN-X, XQuAD, MLQA, TyDiQA-GoldP, XCOPA, Tatoeba, BUCC,
LAReQA / XQuAD-R) and a raw-text corpus (mlm/<lang>.txt), in the native formats and local layout
the real readers load (see notes/CONTRACT.md). Deliberate differences from the real releases:
toy **test files keep their labels** in the dev files' layout (XNLI / PAWS-X: 3 columns, PAN-X:
token<TAB>tag) and **TyDiQA dev keeps its answers**, because zero-shot evaluation needs them; the
intermediate tasks' test files (MNLI, QQP, HellaSwag) stay unlabelled as published. Mewsli-X is
not generated.

**Model.** A BPE tokenizer (SentencePiece-style) and a tiny XLM-R-architecture encoder (hidden 128, 4 layers) are
trained with MLM on the multilingual corpus (phase i), then cached beside the data. The default
world's encoder ships with the package (stiltx/toy/shipped/, stiltx.toy.ship), so it never
pretrains on a user's machine; other seeds and sizes pretrain on first use. Like web
text, the corpus is code-switched in places (words borrowed from another toy language in the same
role) and has questions among its sentences; that, and the shared anchors, is what the encoder can
align the languages with.

It is a harness that exercises the whole protocol offline in minutes, not a substitute for
XLM-R on XTREME.
"""

from stiltx.toy.build import TOY_VERSION, ToyWorld, default_cache_root, emit_all, ensure_toy_world
from stiltx.toy.pretrain import ToyModelConfig
from stiltx.toy.sizes import TEST_SIZES, ToySizes

__all__ = [
    "TOY_VERSION",
    "TEST_SIZES",
    "ToyModelConfig",
    "ToySizes",
    "ToyWorld",
    "default_cache_root",
    "emit_all",
    "ensure_toy_world",
]
