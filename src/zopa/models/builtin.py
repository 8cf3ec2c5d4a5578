"""Imports every built-in model module so that its ``@register`` runs (see models/base.py)."""

import zopa.models.compromise
import zopa.models.nash  # noqa: F401
