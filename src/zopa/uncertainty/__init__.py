"""Monte Carlo over the scenario's declared uncertainty, and sensitivity of outputs to inputs.

:mod:`.draws` turns uniform numbers into draws of the declared inputs (inverse distribution
functions) from seeded streams that do not depend on how the draws are chunked, and sets them into
a :class:`zopa.timeline.state.State`. :mod:`.batch` computes outputs for every draw of a state at
once (static models, verdicts, issue zones, any model by draw), :mod:`.zones` whether the ZOPA
exists on each draw (vectorised screens, ``analyse_zone`` on the draws they leave open),
:mod:`.montecarlo` walks the draws in chunks of bounded memory, :mod:`.summary` turns outputs into
proportions, quantiles and numbers rounded to their precision, and :mod:`.synthetic` makes
uniform bands around every number for tests and benchmarks. :mod:`.sensitivity` ranks the inputs
that drive an output: Sobol indices and Morris screening (SALib), fed through the same inverse
distribution functions.
"""
