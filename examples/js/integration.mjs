// Calling the trustspace contracts by ABI from JavaScript with ethers v6.
//
//   node examples/js/integration.mjs http://127.0.0.1:8546 deployments/ethereum-customs.json $NOTARY_KEY [0xFOREIGN_ID]
//
// The key must belong to an account holding NOTARY in its organisation. Prints the
// steps of examples/calls.json with their results as JSON.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ethers } from "ethers";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ZERO32 = ethers.ZeroHash;

const [rpc, recordPath, key, mirrored] = process.argv.slice(2);
const provider = new ethers.JsonRpcProvider(rpc);
const wallet = new ethers.NonceManager(new ethers.Wallet(key, provider));
const record = JSON.parse(readFileSync(recordPath, "utf8"));

function contract(name) {
  const abi = JSON.parse(readFileSync(join(ROOT, "abi", `${name}.json`), "utf8"));
  return new ethers.Contract(record.contracts[name].address, abi, wallet);
}

async function send(promise) {
  const receipt = await (await promise).wait();
  if (receipt.status !== 1) throw new Error(`reverted: ${receipt.hash}`);
  return receipt;
}

function eventArgs(c, receipt, name) {
  for (const log of receipt.logs) {
    const parsed = c.interface.parseLog(log);
    if (parsed && parsed.name === name) return parsed.args;
  }
  throw new Error(`no ${name} event`);
}

const sha256 = (text) => "0x" + createHash("sha256").update(text).digest("hex");
const leaf = (doc) => ethers.keccak256(ethers.concat(["0x00", doc]));
const node = (l, r) => ethers.keccak256(ethers.concat(["0x01", l, r]));

const notary = contract("Notary");
const registry = contract("DIDRegistry");
const me = await wallet.getAddress();
const steps = {};

// register_schema
let receipt = await send(notary.registerSchema(
  "customs-declaration", "1.0-js", ZERO32, "https://customs.example/schemas/declaration/1.0"));
const schemaId = eventArgs(notary, receipt, "SchemaRegistered").schemaId;
steps.register_schema = Number(schemaId);

// attest
const digest = sha256("js: declaration CUS-2026-0000001");
receipt = await send(notary.attest(digest, schemaId, ZERO32, 0));
const recordId = eventArgs(notary, receipt, "Attested").id;
steps.attest = recordId;

// check_validity
steps.check_validity = Number(await notary.status(recordId));

// anchor_batch
const docA = sha256("js: declaration A");
const docB = sha256("js: declaration B");
receipt = await send(notary.anchorBatch(node(leaf(docA), leaf(docB)), 2, schemaId, 0));
const batchId = eventArgs(notary, receipt, "BatchAnchored").id;
steps.anchor_batch = batchId;

// verify: document B is leaf 1; its proof is the sibling leaf A
steps.verify = Number(await notary.documentStatus(batchId, docB, 1, [leaf(docA)]));

// publish_service
await send(registry.setAttribute(me, ethers.encodeBytes32String("did/svc/AgencyAPI"),
  ethers.toUtf8Bytes("https://customs.example/api"), 86400));
steps.publish_service = "did/svc/AgencyAPI";

// resolve_did_owner, resolve_did_changed: owner, then the events of the last change
steps.resolve_did_owner = await registry.identityOwner(me);
const changed = await registry.changed(me);
const events = await registry.queryFilter(registry.filters.DIDAttributeChanged(me), changed, changed);
steps.resolve_did_changed = {
  block: Number(changed),
  services: events.map((e) => ethers.toUtf8String(e.args.value)),
};

// read_mirrored: where a foreign record came from, and its status here
if (mirrored) {
  const [origin, originId] = await notary.foreignOrigin(mirrored);
  steps.read_mirrored = {
    origin: Number(origin),
    origin_id: originId,
    status: Number(await notary.status(mirrored)),
    kind: Number((await notary.record(mirrored)).kind),
  };
}
console.log(JSON.stringify(steps));
