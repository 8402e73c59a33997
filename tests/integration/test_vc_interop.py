"""Our credentials, accepted unchanged by the did:ethr ecosystem's JavaScript verifiers.

One anvil hub (free port) with the Consortium, DIDRegistry and CredentialRegistry; the
Node script tests/js/verify_vc.mjs runs did-jwt-vc + ethr-did-resolver (pointed at our
registry) and @sd-jwt/sd-jwt-vc, and must give the verdict our Python verifier gives, for
valid credentials and presentations, a replayed presentation, an expired delegate, a
rotated owner and a deactivated DID. The credentials demo runs on the same chain first. The tests share one chain and run in file order
(the owner rotation and the deactivation come last).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from trustspace.credentials import holder, issuer, jws
from trustspace.credentials.model import Reason
from trustspace.devnet.chains import free_port, local_chains
from trustspace.did import registry as reg
from trustspace.networks import ChainSpec

pytestmark = pytest.mark.anvil

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "js" / "verify_vc.mjs"
AUD, NONCE = "https://tax.example/verifier", "n-7"
NULL = "0x" + "00" * 20


@pytest.fixture(scope="module")
def hub(
    networks: Any, deployer: Any, customs_admin: Any, tax_admin: Any, spare_accounts: Any
) -> Any:
    """The demo's scene on a real anvil hub, reached by ape over JSON-RPC."""
    from trustspace.devnet.demo_credentials import build_stand

    spec = ChainSpec("hub", 31337, free_port())
    with local_chains([spec]), networks.parse_network_choice(spec.url):
        yield spec.url, build_stand(deployer, customs_admin, tax_admin, spare_accounts[3])


def js(url: str, stand: Any, tmp_path: Path, **cases: Any) -> dict[str, Any]:
    """Run the Node verifiers over ``cases`` (credentials / presentations / sdJwts)."""
    doc = {
        "rpcUrl": url,
        "chainId": stand.chain_id,
        "registry": str(stand.did_registry.address),
        **cases,
    }
    path = tmp_path / "input.json"
    path.write_text(json.dumps(doc))
    done = subprocess.run(
        ["node", str(SCRIPT), str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_demo__customs_aeo_story__tax_sees_name_and_level_then_suspended(hub):
    """The credentials demo (trustspace.devnet.demo_credentials.run_demo) on the anvil hub."""
    from trustspace.devnet.demo_credentials import run_demo

    _, stand = hub
    lines = run_demo(stand)
    assert "name=Oceanic Trading Ltd, aeoLevel=AEOF (nothing else disclosed)" in lines[1]
    assert lines[-1] == "tax verified again: suspended"


def test_interop__valid_vc_vp_and_sd_jwt__both_accept(hub, tmp_path):
    url, stand = hub
    vc, _ = stand.issue_jwt()
    vp = stand.presentation(AUD, NONCE, vc)
    sd, _ = stand.issue_sd_jwt()
    shown = holder.present_sd_jwt(
        sd, ["name", "aeoLevel"], issuer.jwk_of(stand.company_key), AUD, NONCE
    )
    out = js(
        url, stand, tmp_path,
        credentials={"vc": vc},
        presentations={"vp": {"jwt": vp, "audience": AUD, "nonce": NONCE},
                       "replayed": {"jwt": vp, "audience": "https://bank.example", "nonce": NONCE}},
        sdJwts={"sd": {"presentation": shown, "audience": AUD, "nonce": NONCE},
                "sd_replayed": {"presentation": shown, "audience": "https://bank.example", "nonce": NONCE}},
    )  # fmt: skip
    py = stand.verifier
    assert out["vc"]["valid"] and py.verify_credential(vc).valid, out
    assert out["vc"]["claims"]["aeoLevel"] == "AEOF"
    assert out["vp"]["valid"] and py.verify_presentation(vp, AUD, NONCE).valid, out
    assert not out["replayed"]["valid"]
    assert py.verify_presentation(vp, "https://bank.example", NONCE).reason is Reason.WRONG_AUDIENCE
    assert out["sd"]["valid"] and py.verify_sd_jwt(shown, AUD, NONCE).valid, out
    assert {k: out["sd"]["claims"][k] for k in ("name", "aeoLevel")} == {
        "name": "Oceanic Trading Ltd",
        "aeoLevel": "AEOF",
    }
    assert "eori" not in out["sd"]["claims"]
    assert not out["sd_replayed"]["valid"]
    assert py.verify_sd_jwt(shown, "https://bank.example", NONCE).reason is Reason.WRONG_AUDIENCE


def test_interop__tampered_credential__both_reject(hub, tmp_path):
    url, stand = hub
    vc, _ = stand.issue_jwt()
    head, _body, sig = vc.split(".")
    payload = jws.decode(vc).payload
    payload["vc"]["credentialSubject"]["aeoLevel"] = "AEOC"
    forged = f"{head}.{jws.b64url(json.dumps(payload).encode())}.{sig}"
    out = js(url, stand, tmp_path, credentials={"forged": forged})
    assert not out["forged"]["valid"]
    assert stand.verifier.verify_credential(forged).reason is Reason.BAD_SIGNATURE


def test_interop__expired_delegate__both_reject(hub, tmp_path, chain):
    url, stand = hub
    short = Account.create()
    receipt = stand.did_registry.addDelegate(
        stand.customs_admin,
        reg.str_to_bytes32("veriKey"),
        short.address,
        3,
        sender=stand.customs_admin,
    )
    assert receipt.status == 1
    vc = jws.sign(jws.decode(stand.issue_jwt()[0]).payload, short.key.hex())
    before = js(url, stand, tmp_path, credentials={"vc": vc})
    assert before["vc"]["valid"] and stand.verifier.verify_credential(vc).valid, before
    time.sleep(4)  # the JS resolver reads the wall clock, ours the chain's: pass both
    chain.provider.make_request("evm_mine", [])
    after = js(url, stand, tmp_path, credentials={"vc": vc})
    assert not after["vc"]["valid"]
    assert stand.verifier.verify_credential(vc).reason is Reason.KEY_NOT_LIVE


def test_interop__rotated_owner__both_reject_old_owner_key(hub, tmp_path, outsider):
    url, stand = hub
    vc = jws.sign(jws.decode(stand.issue_jwt()[0]).payload, stand.customs_admin.private_key)
    before = js(url, stand, tmp_path, credentials={"vc": vc})
    assert before["vc"]["valid"] and stand.verifier.verify_credential(vc).valid, before
    stand.did_registry.changeOwner(stand.customs_admin, outsider, sender=stand.customs_admin)
    after = js(url, stand, tmp_path, credentials={"vc": vc})
    assert not after["vc"]["valid"]
    assert stand.verifier.verify_credential(vc).reason is Reason.KEY_NOT_LIVE


def test_interop__deactivated_did__both_reject(hub, tmp_path, outsider):
    url, stand = hub
    vc, _ = stand.issue_jwt()  # the clerk's delegate key, still live
    before = js(url, stand, tmp_path, credentials={"vc": vc})
    assert before["vc"]["valid"] and stand.verifier.verify_credential(vc).valid, before
    stand.did_registry.changeOwner(stand.customs_admin, NULL, sender=outsider)
    after = js(url, stand, tmp_path, credentials={"vc": vc})
    assert not after["vc"]["valid"]
    assert stand.verifier.verify_credential(vc).reason is Reason.DEACTIVATED
