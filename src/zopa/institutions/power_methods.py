"""The methods of exact voting power as plug-ins (see :mod:`zopa.registry`)."""

from __future__ import annotations

from dataclasses import dataclass

from zopa.institutions.power import PowerIndices, voting_power
from zopa.institutions.rules import DecisionRule
from zopa.registry import PluginSpec

_SHAPLEY = ("Shapley & Shubik 1954, A method for evaluating the distribution of power in a "
            "committee system, APSR 48(3); Banzhaf 1965, Weighted voting doesn't work, "
            "Rutgers Law Review 19")


@dataclass(frozen=True)
class PowerMethod(PluginSpec):
    """A way to compute exact Shapley-Shubik and Banzhaf indices of a body (no parameters)."""

    def compute(self, rule: DecisionRule) -> PowerIndices:
        """The indices of ``rule``'s members."""
        return voting_power(rule, self.name)  # type: ignore[arg-type]


AUTO = PowerMethod("auto", "The fastest exact method that fits the body", _SHAPLEY, ())
ENUMERATE = PowerMethod("enumerate", "Enumerate every coalition (any rule, small bodies)",
                        _SHAPLEY, ())
GENERATING = PowerMethod(
    "generating", "Generating functions over integer weights (weighted games)",
    _SHAPLEY + "; Brams & Affuso 1976, Power and size: a new paradox, Theory and Decision 7",
    ())
SPLIT = PowerMethod("split", "Double majorities, split by population (meet in the middle)",
                    _SHAPLEY, ())
