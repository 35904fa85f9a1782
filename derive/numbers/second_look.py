"""The second look at a finite difference that disagrees with what it checks.

Taken again with a step ``NARROWER`` times smaller, a difference's own error shrinks with
the step (100 times next to a kink of a higher derivative, such as ReLU's L'' at z = 0 or
Huber's at δ; 10 000 times elsewhere), while a false value's mismatch stays. The page audit
(document/audit) and the typed-layer check (tensor/worked) both decide with ``own_error``.
"""

from __future__ import annotations

__all__ = ["NARROWER", "SHRINK", "own_error"]

NARROWER = 100      # the second look's step: the first one's / NARROWER
SHRINK = 25         # how much smaller a mismatch must come out to be the difference's own


def own_error(first: float, second: float) -> bool:
    """Whether a mismatch of ``first`` at h that is ``second`` at h / NARROWER shrank as a
    difference's own error does (what is left is below what the first step could see)."""
    return abs(second) * SHRINK <= abs(first)
