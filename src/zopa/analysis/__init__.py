"""Analyses of a scenario that are not forecasts: the ZOPA (:mod:`~zopa.analysis.zone`), the Nash
bargaining solution over the issue space (:mod:`~zopa.analysis.bargaining`), and the Pareto
frontier and bargaining points of a discrete outcome space (:mod:`~zopa.analysis.outcomes`)."""
