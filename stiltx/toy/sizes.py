"""How big the toy world is. Defaults keep the full `--preset tiny` run fast on 2 CPU cores."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ToySizes:
    train: int = 3000  # English training examples per task (ANLI: split over its 3 rounds)
    eval: int = 300  # dev and test examples per task and language
    mlm_lines: int = 4000  # raw-text paragraphs per language (mlm/<lang>.txt)
    bucc_corpus: int = 200  # sentences per side of each BUCC split (gold pairs included)
    bucc_gold: int = 40  # hidden translation pairs per BUCC split

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"ToySizes.{name} must be a positive int, got {value!r}")
        if self.bucc_gold > self.bucc_corpus:
            raise ValueError(
                f"ToySizes.bucc_gold ({self.bucc_gold}) must not exceed bucc_corpus ({self.bucc_corpus})"
            )


# For tests: every file still written, a few examples each.
TEST_SIZES = ToySizes(train=12, eval=6, mlm_lines=60, bucc_corpus=10, bucc_gold=4)

# Named sizes (recipe key `toy.size`): default = the full tiny preset; small / smoke for quick runs.
NAMED_SIZES: dict[str, ToySizes] = {
    "default": ToySizes(),
    "small": ToySizes(train=200, eval=50, mlm_lines=1000, bucc_corpus=100, bucc_gold=20),
    "smoke": ToySizes(train=24, eval=8, mlm_lines=200, bucc_corpus=16, bucc_gold=6),
}


def named_sizes(name: str) -> ToySizes:
    if name not in NAMED_SIZES:
        from stiltx.errors import UnknownNameError, did_you_mean

        raise UnknownNameError(
            f"toy.size: unknown size {name!r}{did_you_mean(name, tuple(NAMED_SIZES))}; "
            f"expected one of {', '.join(NAMED_SIZES)}"
        )
    return NAMED_SIZES[name]
