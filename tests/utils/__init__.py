"""Models and harnesses used only by the tests (and the benchmarks run from the checkout)."""
