"""Examples -> model features, per task kind (see split.encode_split), and batch collation.

I want to...                                  -> go to
encode a split (cached)                       -> split.py: encode_split, EncodedSplit
change how one kind is tokenized              -> classification.py, multiple_choice.py,
                                                 extractive_qa.py, tagging.py, retrieval.py, mlm.py
pad rows into a batch / mask MLM tokens       -> collate.py: collate, MODEL_INPUTS
change what invalidates the cache             -> cache.py: fingerprint, ENCODER_VERSION
"""

from stiltx.encoding.collate import MODEL_INPUTS, collate
from stiltx.encoding.split import EncodedSplit, encode_split

__all__ = ["MODEL_INPUTS", "EncodedSplit", "collate", "encode_split"]
