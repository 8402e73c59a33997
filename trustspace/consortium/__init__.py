"""Membership and governance: role and kind constants, the propose/approve/execute loop, tables."""
