"""Machine translation of English intermediate data into other languages (`stiltx translate`).

`fields.py` says which fields of an Example are translated and rebuilds it (QA answers are
relocated by `spans.py`); `cache.py` keeps every translation on disk keyed by (model, task,
language, text hash), appended batch by batch, so a killed run resumes where it stopped;
`engine.py` wraps a transformers MT model (MarianMT, NLLB, M2M100); `run.py` ties them together
and writes `<translated root>/<task>/<language>/<split>.examples.jsonl` plus a report.
"""
