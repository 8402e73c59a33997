"""Hypothesis strategies, one module per domain: ``bus``, ``consortium``, ``did``, ``notary``.

Strategies are plural nouns; each says what it guarantees (a ``#:`` line above a value, the
docstring of a ``@composite`` builder). Import them from their domain module
(``from tests.fuzz.strategies.notary import inclusion_cases``). The Consortium's are also
importable from the package itself, as before the split.
"""

from tests.fuzz.strategies.consortium import (
    expiry_offsets,
    org_kinds,
    raw_role_values,
    role_sets,
    time_steps,
)

__all__ = ["expiry_offsets", "org_kinds", "raw_role_values", "role_sets", "time_steps"]
