"""Monte Carlo over the scenario's declared uncertainty, and sensitivity of outputs to inputs.

:mod:`.draws` turns uniform numbers into draws of the declared inputs (inverse distribution
functions) from seeded streams that do not depend on how the draws are chunked, and sets them into
a :class:`zopa.timeline.state.State`. :mod:`.sensitivity` ranks the inputs that drive an output:
Sobol indices and Morris screening (SALib), fed through the same inverse distribution functions.
"""
