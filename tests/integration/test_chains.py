"""The three local chains: started on 127.0.0.1 with the right ids, refused on a taken port."""

import json
import socket

import pytest
from click.testing import CliRunner

from trustspace.cli import main
from trustspace.devnet import chains
from trustspace.networks import ChainSpec

pytestmark = pytest.mark.anvil


@pytest.fixture
def isolated_home(tmp_path, monkeypatch):
    """Pid files in a temporary folder, so tests never touch a developer's running chains."""
    monkeypatch.setenv("TRUSTSPACE_HOME", str(tmp_path))
    return tmp_path


def _consecutive_free_ports(count=3):
    for _ in range(50):
        base = chains.free_port()
        if base + count < 65535 and all(chains.port_is_free(base + i) for i in range(count)):
            return base
    raise RuntimeError("no free port range")


def test_up_status_down__three_chains_with_their_ids(isolated_home):
    runner = CliRunner()
    base = _consecutive_free_ports()
    result = runner.invoke(main, ["chains", "up", "--base-port", str(base), "--json"])
    assert result.exit_code == 0, result.output
    try:
        started = json.loads(result.output)
        assert [(c["name"], c["chain_id"]) for c in started] == [
            ("hub", 31337),
            ("customs", 31338),
            ("tax", 31339),
        ]
        for chain in started:
            assert chain["url"].startswith("http://127.0.0.1:")
            assert chains.rpc_chain_id(chain["url"]) == chain["chain_id"]
        again = runner.invoke(main, ["chains", "up", "--base-port", str(base), "--json"])
        assert [c["pid"] for c in json.loads(again.output)] == [c["pid"] for c in started]
        status = json.loads(runner.invoke(main, ["chains", "status", "--json"]).output)
        assert all(c["answering"] for c in status)
    finally:
        stopped = runner.invoke(main, ["chains", "down", "--json"])
    assert len(json.loads(stopped.output)) == 3
    for chain in started:
        assert chains.rpc_chain_id(chain["url"], timeout=0.5) is None
    assert chains.running() == []


def test_up__port_taken__refuses_and_starts_nothing(isolated_home):
    base = _consecutive_free_ports()
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", base + 1))
    blocker.listen()
    try:
        result = CliRunner().invoke(main, ["chains", "up", "--base-port", str(base)])
        assert result.exit_code == 2  # bad input: choose another --base-port
        assert f"customs: port {base + 1} on 127.0.0.1 is taken" in result.output
        # The hub chain started before the failure was stopped again.
        assert chains.running() == []
        assert chains.port_is_free(base)
    finally:
        blocker.close()


def test_local_chains__stops_what_it_started(isolated_home):
    with chains.local_chains() as running:
        urls = [c.url for c in running]
        assert [chains.rpc_chain_id(u) for u in urls] == [31337, 31338, 31339]
    assert all(chains.rpc_chain_id(u, timeout=0.5) is None for u in urls)


def test_down__nothing_running__says_so(isolated_home):
    result = CliRunner().invoke(main, ["chains", "down"])
    assert result.exit_code == 0
    assert "no local chains were running" in result.output


def test_ape_chain_id__port_reused_by_another_chain__reports_the_running_chain(networks, chain):
    """ape keeps a provider per URL and caches chain ids per network name (``custom`` for
    every URL); trustspace.ape_tuning makes each network context read the running node."""
    port = chains.free_port()
    seen = []
    for name, chain_id in (("tax", 31339), ("hub", 31337)):
        spec = ChainSpec(name=name, chain_id=chain_id, port=port)
        with chains.local_chains([spec]), networks.parse_network_choice(spec.url):
            seen.append((chain.chain_id, networks.provider.chain_id))
    assert seen == [(31339, 31339), (31337, 31337)]


def test_ape_chain_id__nested_url_contexts__each_reports_its_own_chain(networks, chain):
    hub = ChainSpec(name="hub", chain_id=31337, port=chains.free_port())
    tax = ChainSpec(name="tax", chain_id=31339, port=chains.free_port())
    with chains.local_chains([hub, tax]), networks.parse_network_choice(hub.url):
        outer = chain.chain_id
        with networks.parse_network_choice(tax.url):
            inner = chain.chain_id
        after = chain.chain_id
    assert (outer, inner, after) == (31337, 31339, 31337)
