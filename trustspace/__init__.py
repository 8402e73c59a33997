"""trustspace: a trusted data space for government agencies on permissioned EVM chains."""

__version__ = "0.1.0"
