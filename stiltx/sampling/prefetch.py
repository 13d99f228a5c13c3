"""Fetch and collate the next batches in a background thread while the device computes.

`Prefetcher` wraps any resumable batch stream (a `MixtureStream`): a daemon thread keeps up to
`depth` batches ready (optionally in pinned memory, so the copy to the GPU is asynchronous).
The loop sees the same batches in the same order as from the bare stream.

Resuming stays exact. Before each batch the thread notes the stream's state and torch's CPU RNG
state (MLM masking draws from it at collate time). `state_dict()` stops the thread and rewinds
the stream and the RNG to just after the last batch the loop consumed, so a checkpoint holds
exactly what it holds without prefetching; the thread restarts at the next batch and fetches
the discarded batches again, identically.

Used on accelerators only: on a CPU the thread would compete with compute for the same cores.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

_POLL_S = 0.05


class Prefetcher:
    """Iterator over `stream`'s batches, `depth` of them fetched ahead in a thread."""

    def __init__(self, stream: Any, *, depth: int = 2, pin_memory: bool = False):
        if depth < 1:
            raise ValueError(f"prefetch depth must be >= 1, got {depth}")
        self.stream = stream
        self.depth = depth
        self.pin_memory = pin_memory
        self._thread: threading.Thread | None = None
        self._queue: queue.Queue | None = None
        self._stop = threading.Event()
        self._marks: deque = deque()  # (stream state, RNG state) before each fetched batch

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        if self._thread is None:
            self._start()
        batch, error = self._queue.get()
        if error is not None:
            self.close()
            raise error
        self._marks.popleft()
        return batch

    def _start(self) -> None:
        self._stop = threading.Event()
        self._queue = queue.Queue(self.depth)
        self._thread = threading.Thread(target=self._produce, name="stiltx-prefetch", daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        import torch

        stop, out = self._stop, self._queue
        while not stop.is_set():
            try:
                self._marks.append((self.stream.state_dict(), torch.get_rng_state()))
                batch = next(self.stream)
                if self.pin_memory:
                    batch = replace(
                        batch, tensors={k: v.pin_memory() for k, v in batch.tensors.items()}
                    )
                item = (batch, None)
            except BaseException as error:  # handed to the consumer, raised there
                item = (None, error)
            while not stop.is_set():
                try:
                    out.put(item, timeout=_POLL_S)
                    break
                except queue.Full:
                    continue
            if item[1] is not None:
                return

    def close(self) -> None:
        """Stop the thread and rewind the stream and RNG to the consumer's position."""
        import torch

        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread, self._queue = None, None
        if self._marks:  # batches fetched but never consumed: undo their fetching
            state, rng = self._marks[0]
            self.stream.load_state_dict(state)
            torch.set_rng_state(rng)
            self._marks.clear()

    def state_dict(self) -> dict[str, Any]:
        """The stream's state after the last consumed batch (prefetching resumes afterwards)."""
        self.close()
        return self.stream.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.close()
        self.stream.load_state_dict(state)
