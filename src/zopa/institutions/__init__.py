"""Voting bodies: decision rules, vote outcomes, exact voting power, vote prediction, and the
effect of a body's decision on the negotiation."""
