"""Privacy computing: joint statistics under threshold exponential ElGamal on secp256k1.

:mod:`~trustspace.compute.group` (points over libsecp256k1 through ``coincurve``),
:mod:`~trustspace.compute.elgamal` (additively homomorphic encryption, baby-step
giant-step), :mod:`~trustspace.compute.dkg` (dealerless key generation),
:mod:`~trustspace.compute.threshold` (partial decryptions with Chaum–Pedersen
proofs), :mod:`~trustspace.compute.rangeproof` (bitwise range proofs of contributions),
:mod:`~trustspace.compute.documents` (what is hashed onto the chain),
:mod:`~trustspace.compute.keystore` (key shares at rest),
:mod:`~trustspace.compute.party` (one agency's HTTP process),
:mod:`~trustspace.compute.client` (talking to parties) and
:mod:`~trustspace.compute.records` (the on-chain trail) and
:mod:`~trustspace.compute.flow` (each step checked against the chain). See docs/privacy.md.
"""

__all__: list[str] = []
