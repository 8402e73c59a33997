# pragma version 0.4.3
"""
@title GovernedTarget
@license Apache-2.0
@notice Test-only contract administered by the Consortium: accepts calls only
        from it, can revert on demand, and can try to re-enter it.
"""

interface Governed:
    def execute(proposal_id: uint256): nonpayable

# @dev The Consortium allowed to call this contract.
consortium: public(address)

# @dev Last value set through governance.
value: public(uint256)


@deploy
def __init__(consortium: address):
    self.consortium = consortium


@external
def set_value(new_value: uint256):
    """
    @notice Store a value; only the Consortium may, and never zero.
    @param new_value The value.
    """
    assert msg.sender == self.consortium, "target: not consortium"
    assert new_value != 0, "target: zero value"
    self.value = new_value


@external
def reenter(proposal_id: uint256):
    """
    @notice Try to execute another proposal from inside a governed call.
    @param proposal_id The proposal to execute.
    """
    extcall Governed(self.consortium).execute(proposal_id)
