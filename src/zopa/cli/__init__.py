"""The ``zopa`` command line: the typer app (:mod:`zopa.cli.app`) and one module of commands per
topic. Commands parse their arguments, leave the work to :mod:`zopa.app` (scenario commands to
:mod:`zopa.scenario`) and render the result as a table or as JSON."""
