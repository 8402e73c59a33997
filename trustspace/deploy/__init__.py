"""Deployment: suite configuration, the one deployer, deployment records, wiring proposals."""
