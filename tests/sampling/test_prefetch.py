"""Prefetcher: the same batches as the bare stream, and checkpoints as if nothing ran ahead."""

from __future__ import annotations

import pytest
import torch
from test_loader import make_mixture, same_batches, take  # beside this file

from stiltx.recipe.schema import SamplingConfig
from stiltx.sampling.prefetch import Prefetcher


def noisy(collate):
    """A collate that draws from torch's CPU RNG, as MLM masking does."""

    def collate_with_noise(rows):
        return {**collate(rows), "noise": torch.randint(0, 10**6, (len(rows),))}

    return collate_with_noise


@pytest.mark.parametrize("depth", [1, 3])
def test_prefetched_batches_and_states_match_the_bare_stream(encoded_factory, collate, depth):
    config = SamplingConfig(policy="temperature", temperature=2.0)
    torch.manual_seed(0)
    bare = make_mixture(encoded_factory, noisy(collate), config, grad_accum=2)
    expected, states = [], []
    for _ in range(3):
        expected += take(bare, 7)
        states.append((bare.state_dict(), torch.get_rng_state()))

    torch.manual_seed(0)
    ahead = Prefetcher(make_mixture(encoded_factory, noisy(collate), config, grad_accum=2),
                       depth=depth)  # fmt: skip
    got = []
    for state, rng in states:
        got += take(ahead, 7)
        assert ahead.state_dict() == state  # a checkpoint here: rewound to the consumer
        assert torch.equal(torch.get_rng_state(), rng)
    assert same_batches(got, expected)
    ahead.close()


def test_resuming_from_a_prefetched_checkpoint_continues_identically(encoded_factory, collate):
    config = SamplingConfig(policy="uniform")
    torch.manual_seed(1)
    ahead = Prefetcher(make_mixture(encoded_factory, noisy(collate), config))
    take(ahead, 11)
    state, rng = ahead.state_dict(), torch.get_rng_state()
    expected = take(ahead, 9)
    ahead.close()

    fresh = make_mixture(encoded_factory, noisy(collate), config)
    fresh.load_state_dict(state)
    torch.set_rng_state(rng)
    assert same_batches(take(fresh, 9), expected)


def test_an_error_in_the_stream_reaches_the_consumer(encoded_factory, collate):
    def failing(rows):
        raise ValueError("bad row")

    ahead = Prefetcher(make_mixture(encoded_factory, failing, SamplingConfig()))
    with pytest.raises(ValueError, match="bad row"):
        next(ahead)
