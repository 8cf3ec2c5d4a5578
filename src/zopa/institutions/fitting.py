"""Fitting members' voting behaviour to recorded roll calls: a spatial ordered-logit item-response
model, estimated by maximum a posteriori (MAP) with hierarchical priors.

The model (docs/vote-fitting.md has the long form). ``V`` recorded votes, ``M`` members, ``k``
issues; draft ``v`` is a point ``p_v`` in ``[0, 1]^k`` against a status quo ``q_v``. Member ``m``'s
latent support for draft ``v`` is

    y*_mv = alpha_m + sum_i (A_mi d_vi - B_mi e_vi) + s sponsor_mv + b bloc_mv + g ally_mv + eps,
    d_vi = p_vi - q_vi,   e_vi = p_vi^2 - q_vi^2,   eps ~ logistic,

which is the quadratic-loss utility gain ``sum_i w_mi [(q_vi - x_mi)^2 - (p_vi - x_mi)^2]`` with
``A = 2 w x`` and ``B = w`` (on the logit scale) plus a member intercept ``alpha_m`` (its general
propensity to vote yes), a sponsorship effect ``s`` and a bloc effect ``b`` (``bloc_mv`` is the
share of the member's declared bloc-mates that sponsor the draft) and an affinity effect ``g``
(``ally_mv`` in [-1, 1]: how much the member agreed with the draft's sponsors on the earlier
votes, :func:`zopa.institutions.record.sponsor_affinity`; members follow their friends' drafts,
which the issue coding alone cannot show). The vote is ordered,
no < abstain < yes, with shared cutpoints ``c1 < c2`` (ordered logit, McKelvey & Zavoina 1975):

    P(no) = L(c1 - y),   P(yes) = 1 - L(c2 - y) = L(y - c2),   P(abstain) = the rest,

where ``y`` is ``y*`` without ``eps`` and ``L`` the logistic function; ``c2 = c1 + exp(gap)``
keeps the cutpoints in order. This is the spatial roll-call model of Clinton, Jackman & Rivers
(2004, "The statistical analysis of roll call data", APSR 98(2)) with an ordered response, as
used for UN votes by Voeten (2000, "Clashes in the Assembly", IO 54(2)) and Bailey, Strezhnev &
Voeten (2017, "Estimating dynamic state preferences from United Nations voting data", JCR 61(2)).

Priors (they are what keeps 10-20 votes from over-fitting): each member's parameters
``theta_m = (alpha_m, A_m, B_m)`` ~ Normal(``mu + shift_m``, ``tau^2 I``), partial pooling towards
the council mean ``mu`` ~ Normal(0, ``mean_sd^2 I``); ``s`` ~ Normal(0, ``sponsor_sd^2``),
``b`` ~ Normal(0, ``bloc_sd^2``), ``c1`` ~ Normal(0, ``cut_sd^2``), ``gap`` ~ Normal(0,
``gap_sd^2``). ``shift_m`` is a declared starting point (e.g. a scenario actor's declared position,
converted by the caller with :func:`spatial_parameters`), zero for other members.

The fit minimises the negative log posterior with its analytic gradient (L-BFGS-B, see
:class:`Objective` for the parametrisation that keeps it well conditioned); everything is
vectorised over (votes, members) and deterministic. A member with no recorded vote is not part of
the optimisation: its MAP parameters are exactly ``mu + shift_m`` (the pooled prediction).

Only ``alpha_m - c1`` and ``c2 - c1`` enter the likelihood: the level shared by the intercepts and
the cutpoints is set by the priors of ``mu`` and ``c1``. Compare intercepts with cutpoints, or
intercepts of one fit with each other, not with those of another fit.

Vote codes in a :class:`RollCalls` matrix are ordinal (0 no, 1 abstain, 2 yes, -1 missing);
probabilities are returned in the column order of :mod:`zopa.institutions.rules` (yes, no,
abstain), the order :func:`zopa.institutions.prediction.result_distribution` reads.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import expit, log_expit

from zopa.errors import UsageError
from zopa.seeds import SeedLike, as_generator
from zopa.utility import BoolArray, FloatArray, IntArray

CountArray = NDArray[np.int64]

VOTE_NO, VOTE_ABSTAIN, VOTE_YES, VOTE_MISSING = 0, 1, 2, -1
"""Codes in :attr:`RollCalls.votes`: ordinal (no < abstain < yes); -1 is a vote not recorded
(absent, unknown, not a member at the time). Not the codes of :mod:`zopa.institutions.rules`."""

PROB_YES, PROB_NO, PROB_ABSTAIN = 0, 1, 2
"""Columns of :meth:`FittedVotes.probabilities`: the same as ``rules.YES, rules.NO,
rules.ABSTAIN`` (a test checks it), so that appending a zero column for ``absent`` gives the
``(n, 4)`` rows :func:`zopa.institutions.prediction.result_distribution` takes."""

GAP_BOUNDS = (-12.0, 6.0)
"""Bounds on ``gap = log(c2 - c1)``: an abstention band from ``6e-6`` to ``403`` logits wide, so
that ``exp`` and ``log(1 - exp(-width))`` stay finite when a body never (or always) abstains."""

_B_EPS = 1e-9  # below this quadratic weight an ideal point is not identified


def _fail(message: str, where: str = "roll calls") -> UsageError:
    return UsageError(f"{where}: {message}")


def _float_matrix(value: ArrayLike, name: str, shape: tuple[int | None, int | None],
                  unit: bool = True, where: str = "roll calls") -> FloatArray:
    """A finite float matrix of the given shape (None: any length), optionally within [0, 1]."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise _fail(f"{name} must be an array of numbers", where) from None
    want = "(" + ", ".join("any" if n is None else str(n) for n in shape) + ")"
    if array.ndim != 2 or any(n is not None and n != s for n, s in zip(shape, array.shape,
                                                                        strict=True)):
        raise _fail(f"{name} must have shape {want}, not {array.shape}", where)
    if not np.isfinite(array).all():
        raise _fail(f"{name} must be finite (no nan or inf)", where)
    if unit and ((array < 0.0).any() or (array > 1.0).any()):
        raise _fail(f"{name} must lie in [0, 1]", where)
    array.setflags(write=False)
    return array


def _bool_matrix(value: ArrayLike, name: str, shape: tuple[int, int], where: str) -> BoolArray:
    raw = np.asarray(value)
    if raw.dtype != np.bool_:
        numbers = _float_matrix(raw, name, shape, where=where)
        if not np.isin(numbers, (0.0, 1.0)).all():
            raise _fail(f"{name} must be true/false (or 0/1)", where)
        raw = numbers
    array = np.array(raw, dtype=bool)
    if array.shape != shape:
        raise _fail(f"{name} must have shape {shape}, not {array.shape}", where)
    array.setflags(write=False)
    return array


def _drafts(proposal: ArrayLike, status_quo: ArrayLike, sponsor: ArrayLike, bloc: ArrayLike,
            k: int | None, m: int | None, where: str = "roll calls",
            ) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray]:
    """Checked draft arrays; a single draft may be given as 1-d rows (promoted to one row)."""
    if np.ndim(proposal) == 1:
        proposal, status_quo = np.atleast_2d(proposal), np.atleast_2d(status_quo)
        sponsor, bloc = np.atleast_2d(sponsor), np.atleast_2d(bloc)
    prop = _float_matrix(proposal, "proposal", (None, k), where=where)
    v, k = prop.shape
    sq = _float_matrix(status_quo, "status_quo", (v, k), where=where)
    bl = _float_matrix(bloc, "bloc", (v, m), where=where)
    sp = _bool_matrix(sponsor, "sponsor", bl.shape, where)
    return prop, sq, sp, bl


def _affinity(value: ArrayLike | None, shape: tuple[int, int], where: str) -> FloatArray:
    """Checked ``(V, M)`` affinities in [-1, 1] (zeros for ``None``), read-only."""
    if value is None:
        out = np.zeros(shape)
    else:
        raw = np.atleast_2d(np.asarray(value, dtype=float)) if np.ndim(value) == 1 else (
            np.asarray(value, dtype=float))
        if raw.shape != shape:
            raise _fail(f"affinity must have shape {shape}, not {raw.shape}", where)
        if not np.isfinite(raw).all() or np.abs(raw).max(initial=0.0) > 1.0:
            raise _fail("affinity must be finite and lie in [-1, 1]", where)
        out = np.array(raw)
    out.setflags(write=False)
    return out


def design(proposal: FloatArray, status_quo: FloatArray) -> FloatArray:
    """``(V, 2k+1)`` rows ``(1, d_v, -e_v)``: latent support is ``design @ theta_m`` (+ effects).

    >>> design(np.array([[0.5]]), np.array([[0.0]])).tolist()
    [[1.0, 0.5, -0.25]]
    """
    ones = np.ones((proposal.shape[0], 1))
    return np.hstack([ones, proposal - status_quo, -(proposal**2 - status_quo**2)])


def spatial_parameters(ideal: ArrayLike, weight: ArrayLike, scale: float = 1.0,
                       intercept: ArrayLike = 0.0) -> FloatArray:
    """``(M, 2k+1)`` member parameters ``(alpha, A, B)`` of ideal points ``x (M, k)`` in
    ``[0, 1]`` and weights ``w (M, k)``: ``A = 2 scale w x``, ``B = scale w`` (``scale``: logits
    per unit of quadratic utility). A caller turns declared positions into a ``prior_shift`` with
    it, e.g. minus the declared members' mean so that the shift is relative to the council.

    >>> spatial_parameters([[0.25]], [[2.0]]).tolist()
    [[0.0, 1.0, 2.0]]
    """
    x, w = np.atleast_2d(np.asarray(ideal, dtype=float)), np.atleast_2d(np.asarray(weight,
                                                                                   dtype=float))
    if x.shape != w.shape or not (np.isfinite(x).all() and np.isfinite(w).all()):
        raise UsageError("spatial parameters: ideal and weight must be finite, of one shape")
    alpha = np.broadcast_to(np.asarray(intercept, dtype=float), (x.shape[0],))
    return np.hstack([alpha[:, None], 2.0 * scale * w * x, scale * w])


@dataclass(frozen=True, eq=False)
class RollCalls:
    """V recorded votes x M members on drafts coded on k issues (validated on construction:
    shapes, finite values, [0, 1] ranges, vote codes; a :class:`UsageError` otherwise).

    Attributes:
        proposal: ``(V, k)`` each draft's point, normalised to ``[0, 1]``.
        status_quo: ``(V, k)`` the status quo it would replace, in ``[0, 1]``.
        sponsor: ``(V, M)`` whether the member sponsored the draft.
        bloc: ``(V, M)`` share of the member's declared bloc-mates that sponsor it, in ``[0, 1]``
            (zeros when no blocs are declared).
        votes: ``(V, M)`` int8 codes :data:`VOTE_NO`, :data:`VOTE_ABSTAIN`, :data:`VOTE_YES`, or
            :data:`VOTE_MISSING`.
        affinity: ``(V, M)`` how much the member agreed with the draft's sponsors before, in
            ``[-1, 1]`` (:func:`zopa.institutions.record.sponsor_affinity`); zeros if not given.
    """

    proposal: FloatArray
    status_quo: FloatArray
    sponsor: BoolArray
    bloc: FloatArray
    votes: IntArray
    affinity: FloatArray | None = None

    def __post_init__(self) -> None:
        raw: NDArray[Any] = np.asarray(self.votes)
        if raw.ndim != 2:
            raise _fail(f"votes must be a (V, M) matrix, not of shape {raw.shape}")
        if raw.shape[1] == 0:
            raise _fail("need at least one member")
        prop, sq, sp, bl = _drafts(self.proposal, self.status_quo, self.sponsor, self.bloc,
                                   None, raw.shape[1])
        if raw.shape != bl.shape:
            raise _fail(f"votes must have shape {bl.shape}, not {raw.shape}")
        if raw.dtype == np.bool_:
            raise _fail("votes must be codes -1, 0, 1, 2, not true/false")
        if raw.dtype.kind not in "iu":
            numbers = _float_matrix(raw, "votes", raw.shape, unit=False)
            if (numbers != np.round(numbers)).any():
                raise _fail("votes must be whole-number codes")
            raw = numbers
        codes = (VOTE_MISSING, VOTE_NO, VOTE_ABSTAIN, VOTE_YES)
        if not np.isin(raw, codes).all():
            bad = raw[~np.isin(raw, codes)].flat[0]
            raise _fail(f"vote code {bad} is not one of -1 (missing), 0 (no), 1 (abstain), 2 (yes)")
        votes = np.array(raw, dtype=np.int8)
        votes.setflags(write=False)
        ally = _affinity(self.affinity, bl.shape, "roll calls")
        for name, value in (("proposal", prop), ("status_quo", sq), ("sponsor", sp),
                            ("bloc", bl), ("votes", votes), ("affinity", ally)):
            object.__setattr__(self, name, value)  # frozen: store the checked, read-only copies

    @property
    def n_votes(self) -> int:
        """V, the number of roll calls."""
        return int(self.votes.shape[0])

    @property
    def n_members(self) -> int:
        """M, the number of members."""
        return int(self.votes.shape[1])

    @property
    def n_issues(self) -> int:
        """K, the number of issues."""
        return int(self.proposal.shape[1])


@dataclass(frozen=True)
class FitSettings:
    """Prior scales and optimiser settings of :func:`fit` (all standard deviations > 0)."""

    tau: float = 1.0
    """Prior sd of a member's parameters around the council mean (+ its shift): smaller pools
    more. 1 logit lets a member differ clearly from the council without 10 votes making it
    extreme."""
    sponsor_sd: float = 2.0
    """Prior sd of the sponsorship effect ``s`` (logits)."""
    bloc_sd: float = 2.0
    """Prior sd of the bloc effect ``b`` (logits per unit share of sponsoring bloc-mates)."""
    affinity_sd: float = 2.0
    """Prior sd of the affinity effect ``g`` (logits per unit of agreement with the sponsors)."""
    mean_sd: float = 10.0
    """Prior sd of the council mean ``mu``: weak, the data decide it."""
    cut_sd: float = 5.0
    """Prior sd of the lower cutpoint ``c1`` around 0: weak; it also pins the level that the
    member intercepts and the cutpoints share (only their difference enters the likelihood)."""
    gap_sd: float = 2.0
    """Prior sd of ``gap = log(c2 - c1)`` around 0 (an abstention band 1 logit wide)."""
    max_iter: int = 500
    """Most L-BFGS-B iterations."""
    gtol: float = 1e-6
    """L-BFGS-B stops when every component of the projected gradient is below this."""

    def __post_init__(self) -> None:
        scales = (self.tau, self.sponsor_sd, self.bloc_sd, self.affinity_sd, self.mean_sd,
                  self.cut_sd, self.gap_sd, self.gtol)
        if not all(np.isfinite(scales)) or min(scales) <= 0:
            raise UsageError("fit settings: every prior sd and gtol must be a finite number > 0")
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, int) or (
                self.max_iter < 1):
            raise UsageError("fit settings: max_iter must be a whole number >= 1")


@dataclass(frozen=True, eq=False)
class FittedVotes:
    """MAP estimates of the roll-call model (see the module docstring).

    Attributes:
        alpha: ``(M,)`` member intercepts (general propensity to vote yes, logits).
        A: ``(M, k)`` linear coefficients on ``d = p - q`` (``2 w x`` in spatial terms).
        B: ``(M, k)`` quadratic coefficients on ``e = p^2 - q^2`` (``w``).
        mu: ``(2k+1,)`` council mean of ``(alpha, A, B)``.
        sponsor: sponsorship effect ``s``.
        bloc: bloc effect ``b``.
        affinity: affinity effect ``g`` (per unit of agreement with the draft's sponsors).
        cutpoints: ``(c1, c2)``, ``c1 < c2``.
        log_posterior: log posterior density at the estimate, up to an additive constant (the
            priors' normalising constants are left out).
        converged: whether L-BFGS-B reported convergence.
        iterations: L-BFGS-B iterations used.
        n_votes: ``(M,)`` recorded (non-missing) votes of each member used in the fit.
        shift: ``(M, 2k+1)`` prior shift used (zeros when none).
    """

    alpha: FloatArray
    A: FloatArray
    B: FloatArray
    mu: FloatArray
    sponsor: float
    bloc: float
    cutpoints: tuple[float, float]
    log_posterior: float
    converged: bool
    iterations: int
    n_votes: CountArray
    shift: FloatArray | None = field(default=None)
    affinity: float = 0.0

    @property
    def theta(self) -> FloatArray:
        """``(M, 2k+1)`` member parameters ``(alpha, A, B)`` side by side."""
        return np.hstack([self.alpha[:, None], self.A, self.B])

    def ideal_points(self) -> tuple[FloatArray, FloatArray]:
        """Spatial ideal points ``x (M, k)`` and weights ``w (M, k)`` recovered from ``A = 2 w x``
        and ``B = w``: ``w = B`` and ``x = A / (2 B)`` where ``B > 1e-9``, NaN elsewhere (no
        quadratic weight: the member's preference on the issue is monotone, no peak). ``x`` may
        lie outside [0, 1] (a member who wants more than any draft offers)."""
        w = self.B.copy()
        safe = np.where(w > _B_EPS, w, 1.0)
        x = np.where(w > _B_EPS, self.A / (2.0 * safe), np.nan)
        return x, w

    def support(self, proposal: ArrayLike, status_quo: ArrayLike, sponsor: ArrayLike,
                bloc: ArrayLike, affinity: ArrayLike | None = None) -> FloatArray:
        """``(V', M)`` latent support ``y*`` without the logistic noise for drafts
        ``proposal``/``status_quo (V', k)`` with ``sponsor``, ``bloc`` and ``affinity (V', M)``
        (zeros if ``None``; one draft may be given as 1-d rows)."""
        prop, sq, sp, bl = _drafts(proposal, status_quo, sponsor, bloc, self.A.shape[1],
                                   self.alpha.shape[0], "drafts to predict")
        ally = _affinity(affinity, bl.shape, "drafts to predict")
        return np.asarray(design(prop, sq) @ self.theta.T + self.sponsor * sp + self.bloc * bl
                          + self.affinity * ally)

    def probabilities(self, proposal: ArrayLike, status_quo: ArrayLike, sponsor: ArrayLike,
                      bloc: ArrayLike, affinity: ArrayLike | None = None) -> FloatArray:
        """``(V', M, 3)`` vote probabilities in the column order (yes, no, abstain) =
        (:data:`PROB_YES`, :data:`PROB_NO`, :data:`PROB_ABSTAIN`), zopa's order of
        :mod:`zopa.institutions.rules`; append a zero column for the ``(n, 4)`` rows of
        :func:`zopa.institutions.prediction.result_distribution`. Arguments as in
        :meth:`support`."""
        return ordered_probabilities(self.support(proposal, status_quo, sponsor, bloc, affinity),
                                     *self.cutpoints)


def ordered_probabilities(support: FloatArray, c1: float, c2: float) -> FloatArray:
    """``(..., 3)`` (yes, no, abstain) of the ordered logit at latent ``support``: ``P(no) =
    L(c1 - y)``, ``P(yes) = L(y - c2)``, ``P(abstain) = L(c2 - y) - L(c1 - y)``, the last
    computed as ``L(c2 - y) L(y - c1) (1 - exp(c1 - c2))`` (no cancellation in the tails).

    >>> ordered_probabilities(np.array([0.0]), -1.0, 1.0).round(3).tolist()
    [[0.269, 0.269, 0.462]]
    """
    y = np.asarray(support, dtype=float)
    no = expit(c1 - y)
    yes = expit(y - c2)
    abstain = expit(c2 - y) * expit(y - c1) * -np.expm1(c1 - c2)
    probs = np.stack([yes, no, abstain], axis=-1)
    return np.asarray(probs / probs.sum(axis=-1, keepdims=True))  # sum exactly 1 up to rounding


def with_absent(probs: FloatArray) -> FloatArray:
    """``(..., 4)`` rows (yes, no, abstain, absent = 0) of ``(..., 3)`` probabilities from
    :meth:`FittedVotes.probabilities`: the input of
    :func:`zopa.institutions.prediction.result_distribution` (one draft's ``(M, 4)``).

    >>> with_absent(np.array([[0.5, 0.3, 0.2]])).tolist()
    [[0.5, 0.3, 0.2, 0.0]]
    """
    probs = np.asarray(probs, dtype=float)
    return np.concatenate([probs, np.zeros((*probs.shape[:-1], 1))], axis=-1)


class Objective:
    """The negative log posterior of :func:`fit` (up to a constant) and its analytic gradient,
    as a function of one flat vector, over the members with a recorded vote (the others sit at
    their prior mean and add nothing).

    Parametrised for a well-conditioned optimisation (the posterior is the same):

    * members non-centred, ``theta_m = mu + shift_m + u_m`` with ``u_m`` ~ N(0, ``tau^2 I``);
    * the likelihood depends on the intercepts and cutpoints only through ``alpha_m - c1``, so
      shifting every intercept, the council mean intercept ``mu_0`` and ``c1`` together is a
      direction only the two weak priors resist (curvature ``1/mean_sd^2 + 1/cut_sd^2``), along
      which L-BFGS crawls. The vector holds ``cut = c1 - mu_0`` instead, and ``mu_0`` is
      profiled out in closed form: ``mu_0 = -cut mean_sd^2 / (mean_sd^2 + cut_sd^2)``, leaving
      the prior ``cut`` ~ N(0, ``mean_sd^2 + cut_sd^2``) (the gradient of the other variables is
      unchanged at the profiled optimum: envelope theorem).

    Vector layout: ``u`` of the observed members ``(M_obs, 2k+1)`` row by row, ``mu_1..mu_2k``
    (the council mean without the intercept), ``s``, ``b``, ``g``, ``cut``, ``gap``.
    """

    def __init__(self, calls: RollCalls, settings: FitSettings, shift: FloatArray) -> None:
        recorded = calls.votes != VOTE_MISSING
        self.observed = np.flatnonzero(recorded.any(axis=0))
        votes = calls.votes[:, self.observed]
        # 0/1 masks per category (missing: all zero, so a missing vote adds nothing)
        self.is_no = (votes == VOTE_NO).astype(float)
        self.is_abstain = (votes == VOTE_ABSTAIN).astype(float)
        self.is_yes = (votes == VOTE_YES).astype(float)
        self.X = design(calls.proposal, calls.status_quo)
        self.S = calls.sponsor[:, self.observed].astype(float)
        self.Bl = calls.bloc[:, self.observed]
        ally = calls.affinity if calls.affinity is not None else np.zeros(calls.votes.shape)
        self.Af = ally[:, self.observed]
        self.shift = shift[self.observed]
        self.settings = settings
        self.p = self.X.shape[1]
        self.n_obs = self.observed.size
        self.size = (self.n_obs + 1) * self.p + 4
        self._cut_var = settings.mean_sd**2 + settings.cut_sd**2
        self._mean_share = settings.mean_sd**2 / self._cut_var

    def _split(self, vector: FloatArray) -> tuple[FloatArray, FloatArray, float, float, float,
                                                  float, float]:
        n = self.n_obs * self.p
        u = vector[:n].reshape(self.n_obs, self.p)
        mu_rest = vector[n:n + self.p - 1]
        s, b, a, cut, gap = (float(t) for t in vector[n + self.p - 1:])
        return u, mu_rest, s, b, a, cut, gap

    def unpack(self, vector: FloatArray) -> tuple[FloatArray, FloatArray, float, float, float,
                                                  float, float]:
        """``(theta (M_obs, 2k+1), mu, s, b, g, c1, gap)`` of a vector, in the model's terms."""
        u, mu_rest, s, b, a, cut, gap = self._split(vector)
        mu0 = -cut * self._mean_share
        mu = np.concatenate([[mu0], mu_rest])
        return mu + self.shift + u, mu, s, b, a, cut + mu0, gap

    def start(self) -> FloatArray:
        """Deterministic start: members at the prior mean 0 (+ shift), cutpoints at the logits
        of the observed shares of no and no-or-abstain (smoothed: every category counts 1)."""
        n_no, n_ab, n_yes = (float(m.sum()) + 1.0
                             for m in (self.is_no, self.is_abstain, self.is_yes))
        c1 = float(np.log(n_no / (n_ab + n_yes)))
        c2 = float(np.log((n_no + n_ab) / n_yes))
        gap = float(np.clip(np.log(c2 - c1), *GAP_BOUNDS))
        return np.concatenate([np.zeros(self.n_obs * self.p + self.p - 1),
                               [0.0, 0.0, 0.0, c1, gap]])

    def __call__(self, vector: FloatArray) -> tuple[float, FloatArray]:
        """Negative log posterior (up to a constant) and its gradient at ``vector``."""
        u, mu_rest, s, b, a, cut, gap = self._split(vector)
        st = self.settings
        width = float(np.exp(gap))
        theta = self.shift + u
        theta[:, 1:] += mu_rest  # intercepts relative to mu_0: only alpha - c1 matters
        # einsum, not @: OpenBLAS would start threads for these small products, which on a busy
        # machine makes each call many times slower than the arithmetic itself
        eta = (np.einsum("vp,mp->vm", self.X, theta) + s * self.S + b * self.Bl
               + a * self.Af)  # (V, M_obs)
        low = cut - eta  # c1 - y
        high = low + width  # c2 - y
        # log P per category: no = log L(c1-y); yes = log L(y-c2);
        # abstain = log[L(c2-y) L(y-c1) (1 - exp(-width))] (see ordered_probabilities)
        log_band = float(np.log(-np.expm1(-width)))
        # two logistic and two log-logistic evaluations serve all terms:
        # log L(-z) = log L(z) - z and L(-z) = 1 - L(z)
        log_l, log_h = log_expit(low), log_expit(high)
        exp_l, exp_h = expit(low), expit(high)
        loglik = (self.is_no * log_l + self.is_yes * (log_h - high)
                  + self.is_abstain * (log_h + log_l - low + log_band)).sum()
        # d log P / d y per cell: no -L(y-c1), yes L(c2-y), abstain L(c1-y) - L(y-c2)
        g = (self.is_yes * exp_h - self.is_no * (1.0 - exp_l)
             + self.is_abstain * (exp_l - (1.0 - exp_h)))
        # d log P / d width: yes through c2, abstain through c2 and the band term
        d_width = float((self.is_abstain * ((1.0 - exp_h) + 1.0 / np.expm1(width))
                         - self.is_yes * exp_h).sum())
        tau2 = st.tau**2
        logprior = -0.5 * (float((u**2).sum()) / tau2 + float(mu_rest @ mu_rest) / st.mean_sd**2
                           + (s / st.sponsor_sd) ** 2 + (b / st.bloc_sd) ** 2
                           + (a / st.affinity_sd) ** 2
                           + cut**2 / self._cut_var + (gap / st.gap_sd) ** 2)
        data_theta = np.einsum("vm,vp->mp", g, self.X)
        grad = np.concatenate([
            (data_theta - u / tau2).ravel(),
            data_theta[:, 1:].sum(axis=0) - mu_rest / st.mean_sd**2,
            [float((g * self.S).sum()) - s / st.sponsor_sd**2,
             float((g * self.Bl).sum()) - b / st.bloc_sd**2,
             float((g * self.Af).sum()) - a / st.affinity_sd**2,
             -float(g.sum()) - cut / self._cut_var,  # c1 moves both cutpoints: the mirror of y
             d_width * width - gap / st.gap_sd**2],
        ])
        return -(float(loglik) + logprior), -grad


def _shift(calls: RollCalls, prior_shift: ArrayLike | None,
           declared: ArrayLike | None) -> FloatArray:
    shape = (calls.n_members, 2 * calls.n_issues + 1)
    if prior_shift is None:
        shift = np.zeros(shape)
    else:
        shift = np.array(prior_shift, dtype=float)
        if shift.shape != shape:
            raise UsageError(f"prior_shift must have shape {shape}, not {shift.shape}")
        if not np.isfinite(shift).all():
            raise UsageError("prior_shift must be finite (no nan or inf)")
    if declared is not None:
        mask = np.asarray(declared)
        if mask.shape != (calls.n_members,) or mask.dtype != np.bool_:
            raise UsageError(f"declared must be ({calls.n_members},) true/false values")
        shift[~mask] = 0.0  # members without a declared starting point: shift 0
    return shift


@cache
def _blas_controller() -> Any:
    """threadpoolctl's view of the loaded BLAS libraries (built once: ~10 ms), or None."""
    try:
        from threadpoolctl import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
            ThreadpoolController,
        )
    except ImportError:  # not a declared dependency: without it the fit is only slower
        return None
    return ThreadpoolController()


def _one_blas_thread() -> AbstractContextManager[object]:
    """Limit BLAS to one thread while L-BFGS-B runs. Its small matrix products (a few hundred
    variables) are not worth threads, and an OpenBLAS thread pool on a busy machine made each
    iteration wait for a descheduled helper thread: 0.7-1 s instead of 0.06-0.1 s for 20 members
    and 200 votes. The limit is process-wide for the duration of the fit."""
    controller = _blas_controller()
    if controller is None:
        return nullcontext()
    return controller.limit(limits=1, user_api="blas")  # type: ignore[no-any-return]


def fit(calls: RollCalls, settings: FitSettings = FitSettings(), *,
        prior_shift: ArrayLike | None = None, declared: ArrayLike | None = None) -> FittedVotes:
    """MAP fit of the spatial ordered-logit model to roll calls (see the module docstring).

    Args:
        calls: the recorded votes and the drafts' coding.
        settings: prior scales and optimiser settings.
        prior_shift: ``(M, 2k+1)`` where each member's prior centre lies relative to the council
            mean, in the order ``(alpha, A_1..A_k, B_1..B_k)`` (see :func:`spatial_parameters`);
            zeros if None.
        declared: ``(M,)`` which members have a declared starting point; rows of the others'
            shift are set to 0. All rows of ``prior_shift`` count if None.

    Returns:
        The estimates; members with no recorded vote get exactly ``mu + shift_m``.
    """
    shift = _shift(calls, prior_shift, declared)
    objective = Objective(calls, settings, shift)
    bounds = [(None, None)] * (objective.size - 1) + [GAP_BOUNDS]
    with _one_blas_thread():
        result = minimize(objective, objective.start(), jac=True, method="L-BFGS-B",
                          bounds=bounds, options={"maxiter": settings.max_iter,
                                                  "gtol": settings.gtol, "ftol": 1e-13,
                                                  "maxcor": 20})
    theta_obs, mu, s, b, a, c1, gap = objective.unpack(np.asarray(result.x, dtype=float))
    theta = mu + shift  # members without a vote: exactly the pooled prediction
    theta[objective.observed] = theta_obs
    k = calls.n_issues
    shift.setflags(write=False)
    return FittedVotes(
        alpha=theta[:, 0].copy(), A=theta[:, 1:k + 1].copy(), B=theta[:, k + 1:].copy(),
        mu=mu.copy(), sponsor=s, bloc=b, cutpoints=(c1, c1 + float(np.exp(gap))),
        log_posterior=-float(result.fun), converged=bool(result.success),
        iterations=int(result.nit),
        n_votes=np.count_nonzero(calls.votes != VOTE_MISSING, axis=0).astype(np.int64),
        shift=shift, affinity=a,
    )


def log_likelihood(params: FittedVotes, calls: RollCalls) -> float:
    """Log likelihood of the recorded votes of ``calls`` under ``params`` (missing ones skipped)."""
    probs = params.probabilities(calls.proposal, calls.status_quo, calls.sponsor, calls.bloc,
                                 calls.affinity)
    column = np.array([PROB_NO, PROB_ABSTAIN, PROB_YES])  # by ordinal code 0, 1, 2
    recorded = calls.votes != VOTE_MISSING
    picked = np.take_along_axis(probs, column[np.where(recorded, calls.votes, 0)][..., None],
                                axis=-1)[..., 0]
    with np.errstate(divide="ignore"):  # a vote the model gives probability 0: -inf, said so
        return float(np.log(np.where(recorded, picked, 1.0)).sum())


def simulate(params: FittedVotes, proposal: ArrayLike, status_quo: ArrayLike,
             sponsor: ArrayLike, bloc: ArrayLike, seed: SeedLike,
             affinity: ArrayLike | None = None) -> IntArray:
    """``(V, M)`` int8 vote codes (:data:`VOTE_NO`, :data:`VOTE_ABSTAIN`, :data:`VOTE_YES`)
    drawn independently from the model's probabilities, reproducible with ``seed``."""
    probs = params.probabilities(proposal, status_quo, sponsor, bloc, affinity)
    u = as_generator(seed).random(probs.shape[:2])
    no = probs[..., PROB_NO]
    below_yes = no + probs[..., PROB_ABSTAIN]
    codes = np.where(u < no, VOTE_NO, np.where(u < below_yes, VOTE_ABSTAIN, VOTE_YES))
    return np.asarray(codes, dtype=np.int8)


__all__ = [
    "GAP_BOUNDS",
    "PROB_ABSTAIN",
    "PROB_NO",
    "PROB_YES",
    "VOTE_ABSTAIN",
    "VOTE_MISSING",
    "VOTE_NO",
    "VOTE_YES",
    "FitSettings",
    "FittedVotes",
    "Objective",
    "RollCalls",
    "design",
    "fit",
    "log_likelihood",
    "ordered_probabilities",
    "simulate",
    "spatial_parameters",
    "with_absent",
]
