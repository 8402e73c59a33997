"""Deployment: suite configuration (:mod:`.config`), the one deployer over either chain
stack (:mod:`.deployer`, :mod:`.stacks`), deployment records (:mod:`.records`), wiring
proposals (:mod:`.wiring`) and the DID registry's ape helpers (:mod:`.did`)."""
