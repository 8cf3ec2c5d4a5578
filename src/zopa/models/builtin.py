"""Imports every built-in model module so that its ``@register`` runs (see models/base.py)."""

import zopa.models.bdm
import zopa.models.compromise
import zopa.models.exchange
import zopa.models.nash  # noqa: F401
