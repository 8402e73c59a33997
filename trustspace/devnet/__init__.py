"""Local development: anvil chains, the offline toolchain, ABI export, the end-to-end demo.

Nothing in the SDK packages imports from here."""
