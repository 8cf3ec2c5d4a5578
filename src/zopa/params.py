"""Declared parameters of plug-ins: one description that the CLI, the docs and web forms read.

Every plug-in (forecast model, negotiation protocol, strategy, power method, vote model) lists its
parameters as :class:`Param` objects. A parameter knows its type, default, allowed range or
choices and help text, and parses a value given as text (``--param key=value``) or as a Python
value, with one located error message whatever the front end.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zopa.errors import UsageError

ParamValue = float | int | str | bool | tuple[float, ...]
"""What a parameter may hold: a number, a flag, a name, or a fixed-length tuple of numbers."""

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


@dataclass(frozen=True)
class Param:
    """A declared parameter.

    Attributes:
        name: the key (``--param name=value``).
        type: ``float``, ``int``, ``str``, ``bool`` or ``tuple`` (of ``length`` floats).
        default: the value when none is given.
        help: one line for users.
        choices: the allowed values of a ``str`` parameter.
        low, high: the inclusive range of a number (or of every element of a tuple).
        length: the number of elements of a ``tuple`` parameter.
        total: if set, the elements of a ``tuple`` parameter must sum to it (probabilities).

    >>> Param("beta", float, 10.0, "slope", low=0.0).parse("2.5")
    2.5
    """

    name: str
    type: type[float] | type[int] | type[str] | type[bool] | type[tuple[Any, ...]]
    default: ParamValue
    help: str
    choices: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None
    length: int | None = None
    total: float | None = None

    def parse(self, value: ParamValue | str) -> ParamValue:
        """Coerce ``value`` (e.g. text from ``--param k=v``) to this parameter's type and check it.

        Raises:
            UsageError: naming the parameter and what is wrong.
        """
        if self.type is tuple:
            return self._parse_tuple(value)
        try:
            if self.type is bool:
                parsed: ParamValue = _parse_bool(value)
            elif self.type is int:
                parsed = _parse_int(value)
            elif self.type is float:
                if isinstance(value, bool):
                    raise ValueError(value)
                parsed = float(value)  # type: ignore[arg-type]
            else:
                parsed = str(value)
        except (TypeError, ValueError, OverflowError):
            raise UsageError(
                f"parameter {self.name}: {_short(value)} is not {_article(self.type)}"
            ) from None
        if isinstance(parsed, float | int) and not isinstance(parsed, bool):
            self._check_number(float(parsed))
        if self.choices is not None and parsed not in self.choices:
            raise UsageError(
                f"parameter {self.name}: {parsed!r} is not one of {', '.join(self.choices)}"
            )
        return parsed

    def _parse_tuple(self, value: ParamValue | str) -> tuple[float, ...]:
        parts: Sequence[Any]
        if isinstance(value, str):
            parts = [p for p in value.replace("/", ",").split(",") if p.strip()]
        elif isinstance(value, tuple | list):
            parts = value
        else:
            parts = [value]
        try:
            numbers = tuple(float(p) for p in parts)
        except (TypeError, ValueError):
            raise UsageError(f"parameter {self.name}: {_short(value)} is not a list of numbers"
                             ) from None
        if self.length is not None and len(numbers) != self.length:
            raise UsageError(f"parameter {self.name}: needs {self.length} numbers separated by "
                             f"commas, not {len(numbers)}")
        for x in numbers:
            self._check_number(x)
        if self.total is not None and abs(sum(numbers) - self.total) > 1e-9:
            raise UsageError(f"parameter {self.name}: the numbers must sum to {self.total:g}")
        return numbers

    def _check_number(self, x: float) -> None:
        if not math.isfinite(x):
            raise UsageError(f"parameter {self.name}: must be finite")
        if self.low is not None and x < self.low:
            raise UsageError(f"parameter {self.name}: {x:g} is below its minimum {self.low:g}")
        if self.high is not None and x > self.high:
            raise UsageError(f"parameter {self.name}: {x:g} is above its maximum {self.high:g}")

    def describe(self) -> dict[str, Any]:
        """The declaration as JSON-ready data (``zopa models --json``, web forms, docs)."""
        default = list(self.default) if isinstance(self.default, tuple) else self.default
        return {
            "name": self.name,
            "type": self.type.__name__,
            "default": default,
            "help": self.help,
            "choices": list(self.choices) if self.choices is not None else None,
            "low": self.low,
            "high": self.high,
            "length": self.length,
        }


def parse_params(
    declared: Iterable[Param], given: Mapping[str, ParamValue | str], owner: str
) -> dict[str, ParamValue]:
    """Every declared parameter's value: ``given`` ones parsed, defaults for the rest.

    >>> parse_params([Param("q", float, 1.0, "Q")], {"q": "0.5"}, "model bdm")
    {'q': 0.5}

    Raises:
        UsageError: for an unknown name (listing the known ones) or a bad value.
    """
    table = {p.name: p for p in declared}
    unknown = sorted(set(given) - set(table))
    if unknown:
        names = ", ".join(table) or "none"
        raise UsageError(f"{owner} has no parameter {unknown[0]!r} (parameters: {names})")
    return {name: p.parse(given[name]) if name in given else p.default
            for name, p in table.items()}


def parse_key_values(items: Iterable[str], what: str) -> dict[str, str]:
    """``["a=1", "b = x"]`` -> ``{"a": "1", "b": "x"}``: the one KEY=VALUE reader.

    >>> parse_key_values(["beta=5", "default = 0.6,0.1,0.3"], "parameter")
    {'beta': '5', 'default': '0.6,0.1,0.3'}

    Raises:
        UsageError: for an item without ``=``, an empty key, or a key given twice.
    """
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"{what} takes KEY=VALUE, not {_short(item)}")
        if key in out:
            raise UsageError(f"{what} {key!r} given twice")
        out[key] = value.strip()
    return out


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def _parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = str(value).strip()
    if len(text) > 30:  # far beyond any sensible setting; also avoids int()'s digit limit
        raise ValueError(value)
    return int(text)


def _article(kind: type) -> str:
    return {"int": "a whole number", "float": "a number", "bool": "true or false"}.get(
        kind.__name__, f"a {kind.__name__}")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
