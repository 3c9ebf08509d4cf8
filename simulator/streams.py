"""Named, independent random streams derived from one seed, so adding a stream (or drawing
more from one) never shifts the numbers of another: generation stays reproducible as the
simulator grows."""

from __future__ import annotations

import random


def stream(seed: int, *names: object) -> random.Random:
    """A `random.Random` seeded by the seed and a path of names (str seeds hash with SHA-512,
    independent of PYTHONHASHSEED)."""
    return random.Random("/".join([str(seed), *(str(name) for name in names)]))
