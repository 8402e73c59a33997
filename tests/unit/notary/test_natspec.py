"""Notary's NatSpec, as the compiler reports it: every external function documented.

Implementations use ``@inheritdoc INotary``, so this reads what agency developers see in
the shipped manifest (userdoc / devdoc of the deployable contract), not the source.
"""


def undocumented(contract_type) -> list[str]:
    userdoc = contract_type.userdoc or {}
    devdoc = contract_type.devdoc or {}
    problems = []
    for abi in contract_type.abi:
        if abi.type != "function":
            continue
        key = abi.selector
        notice = userdoc.get("methods", {}).get(key, {}).get("notice")
        if not notice:
            problems.append(f"{key}: no @notice")
        method = devdoc.get("methods", {}).get(key)
        variable = devdoc.get("stateVariables", {}).get(abi.name)
        doc = method or variable or {}
        params = doc.get("params", {})
        problems += [f"{key}: no @param {i.name}" for i in abi.inputs if i.name not in params]
        returns = doc.get("returns", {})
        if len(returns) != len(abi.outputs):
            problems.append(f"{key}: {len(returns)} @return for {len(abi.outputs)} outputs")
    return problems


def test_notary__every_external_function__notice_params_and_returns(project):
    assert undocumented(project.Notary.contract_type) == []


def test_notary__signed_requests_name_the_organisation_in_the_docs(project):
    devdoc = project.Notary.contract_type.devdoc
    attest_by_sig = next(
        doc for key, doc in devdoc["methods"].items() if key.startswith("attestBySig(")
    )
    assert "NotaryOrgMismatch" in attest_by_sig["details"]
