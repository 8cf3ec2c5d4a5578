"""How a change in a relation moves its target: the relations' reach beyond the vote model.

The scenario's numbers describe the state at ``meta.as_of``, under the relations then in force, so
relations do not move anything by themselves; a *change* of a relation's strength by ``d`` (an
event's effect) moves the target ``B`` of a relation from ``A``:

1. **Positions** (all kinds). ``B``'s ideal point on every issue that both hold moves toward
   ``A``'s by ``pull_k * d * share * s_A`` of the distance, where ``share = c_A / (c_A + c_B)``
   (``A``'s part of the two capabilities) and ``s_A`` is ``A``'s salience of the issue: ``A``
   spends its leverage where it cares. A negative ``d`` pushes ``B`` away (hardening). This is
   one step of Friedkin and Johnsen's social influence process, ``x_B <- x_B + w (x_A - x_B)``
   (Friedkin & Johnsen 1990, "Social influence and opinions", J. Mathematical Sociology 15(3-4);
   2011, *Social Influence Network Theory*, ch. 2), with the weight ``w`` carried by the relation.
   Pull per kind, :data:`PULL`: influence (persuasion) the strongest; pressure, mediation
   (formulation of proposals, Touval & Zartman 1985, *International Mediation in Theory and
   Practice*), alliance and patronage half of it. A red line never moves by a pull (a red line
   is a commitment, Schelling 1960, *The Strategy of Conflict*, ch. 2; only an explicit effect
   moves it), and an ideal point does not cross its own red line.
2. **BATNA** (pressure and patronage). Pressure is the power to impose costs on ``B`` if no deal is
   made, so more pressure lowers ``B``'s utility of no agreement; a patron's support makes holding
   out bearable, so more patronage raises it: ``batna_B += shift_k * d * share`` with
   :data:`BATNA_SHIFT` (coercion as raising the cost of no agreement: Schelling 1966, *Arms and
   Influence*, ch. 2; a hurting stalemate: Zartman 2000, "Ripeness", in *International Conflict
   Resolution after the Cold War*; external support prolonging a client's resistance: Salehyan,
   Siroky & Wood 2014, "External rebel sponsorship and civilian abuse", International
   Organization 68(3)).

The coefficients are modelling choices of zopa (the literature gives the direction, not the size);
docs/timeline.md says how to read them. Through the ideal points and BATNAs a relation's change
reaches every forecast model, the zone, the negotiation engine (reservation values are the
BATNAs) and the vote model.
"""

from __future__ import annotations

import numpy as np

from zopa.scenario.arrays import RELATION_KINDS
from zopa.timeline.state import State
from zopa.utility import FloatArray

PULL: dict[str, float] = {
    "influence": 0.5,
    "pressure": 0.25,
    "mediation": 0.25,
    "alliance": 0.25,
    "patronage": 0.25,
}
"""Share of the distance to the source's ideal point that a full-strength change (``d = 1``) of a
relation of each kind moves the target, before ``share`` and the source's salience."""

BATNA_SHIFT: dict[str, float] = {"pressure": -0.25, "patronage": 0.25}
"""Change of the target's BATNA for a full-strength change of a relation, before ``share``."""


def respond(state: State, kind: int, source: int, target: int, change: FloatArray) -> None:
    """Move ``target`` in place after the strength of relation ``kind`` (index into
    :data:`RELATION_KINDS`) from ``source`` changed by ``change`` ``(D,)`` (see module doc)."""
    name = RELATION_KINDS[kind]
    cap = state.capability
    share = cap[:, source] / (cap[:, source] + cap[:, target])
    weight = PULL[name] * change * share  # (D,)
    x_source, x_target = state.ideal[:, source], state.ideal[:, target]
    both = ~np.isnan(x_source) & ~np.isnan(x_target)
    step = weight[:, None] * state.salience[:, source] * (x_source - x_target)
    moved = np.clip(x_target + np.where(both, step, 0.0), state.base.lo, state.base.hi)
    state.ideal[:, target] = np.where(both, keep_behind_red_line(x_target, moved,
                                                                 state.red_line[:, target]),
                                      x_target)
    shift = BATNA_SHIFT.get(name, 0.0)
    if shift:
        state.batna[:, target] = np.clip(state.batna[:, target] + shift * change * share,
                                         0.0, 1.0)


def keep_behind_red_line(old: FloatArray, new: FloatArray, red_line: FloatArray) -> FloatArray:
    """``new`` ideal points, but none crossing its red line: the red line stays on the side of
    the ideal point it was on (an ideal point equal to its red line stays put)."""
    has = ~np.isnan(red_line)
    red = np.where(has, red_line, 0.0)
    kept = np.where(has & (red < old), np.maximum(new, red), new)
    kept = np.where(has & (red > old), np.minimum(kept, red), kept)
    return np.where(has & (red == old), old, kept)
