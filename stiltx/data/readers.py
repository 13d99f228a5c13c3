"""Reader name (`DataSource.local_format`) -> function reading one native file.

Every reader is `read(path, spec, language) -> list[Example]`; retrieval readers return a list
with one `RetrievalCorpus` and open the sibling files they need themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stiltx.data.bucc import read_bucc
from stiltx.data.ccg import read_ccg_tsv
from stiltx.data.conllu import read_conllu
from stiltx.data.cosmosqa import read_cosmosqa
from stiltx.data.dual_encoder import read_mewsli_pairs, read_squad_pairs
from stiltx.data.examples_jsonl import read_stiltx_examples
from stiltx.data.glue_tsv import read_glue_mnli_tsv, read_glue_qqp_tsv
from stiltx.data.jsonl_tasks import (
    read_anli_jsonl,
    read_commonsenseqa_jsonl,
    read_copa_jsonl,
    read_hellaswag_jsonl,
    read_socialiqa_jsonl,
)
from stiltx.data.lareqa import read_lareqa
from stiltx.data.mewsli import read_mewsli
from stiltx.data.squad_json import read_squad_json
from stiltx.data.tatoeba import read_tatoeba
from stiltx.data.text import read_text_lines
from stiltx.data.xtreme_tsv import (
    read_panx_tsv,
    read_pawsx_tsv,
    read_xnli_tsv,
    read_xtreme_translated_tsv,
)
from stiltx.tasks.examples import Example
from stiltx.tasks.spec import TaskSpec

Reader = Callable[[Path, TaskSpec, str], list[Example]]

READERS: dict[str, Reader] = {
    "anli_jsonl": read_anli_jsonl,
    "glue_mnli_tsv": read_glue_mnli_tsv,
    "glue_qqp_tsv": read_glue_qqp_tsv,
    "xnli_tsv": read_xnli_tsv,
    "pawsx_tsv": read_pawsx_tsv,
    "hellaswag_jsonl": read_hellaswag_jsonl,
    "cosmosqa": read_cosmosqa,
    "commonsenseqa_jsonl": read_commonsenseqa_jsonl,
    "socialiqa_jsonl": read_socialiqa_jsonl,
    "copa_jsonl": read_copa_jsonl,
    "squad_json": read_squad_json,
    "ccg_tsv": read_ccg_tsv,
    "conllu": read_conllu,
    "panx_tsv": read_panx_tsv,
    "bucc": read_bucc,
    "tatoeba": read_tatoeba,
    "lareqa": read_lareqa,
    "mewsli_x": read_mewsli,
    "text": read_text_lines,
    "squad_pairs": read_squad_pairs,
    "mewsli_pairs": read_mewsli_pairs,
    "xtreme_translated_tsv": read_xtreme_translated_tsv,
    "stiltx_examples": read_stiltx_examples,
}
