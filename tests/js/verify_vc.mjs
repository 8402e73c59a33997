// Verifies trustspace credentials with the did:ethr ecosystem's own JavaScript verifiers,
// unchanged: did-jwt-vc + ethr-did-resolver (pointed at our DIDRegistry and RPC) for VC and
// VP JWTs, @sd-jwt/sd-jwt-vc for SD-JWT VCs with key binding. Offline after `npm ci`.
//
// Usage: node tests/js/verify_vc.mjs <input.json>; input:
//   {"rpcUrl", "chainId", "registry",
//    "credentials": {name: jwt}, "presentations": {name: {jwt, audience, nonce}},
//    "sdJwts": {name: {presentation, audience, nonce}}}
// Prints one JSON object: {name: {"valid": bool, "error"?: str, "claims"?: {...}}}.
import { readFileSync } from 'node:fs'
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto'
import { Resolver } from 'did-resolver'
import { getResolver } from 'ethr-did-resolver'
import { verifyCredential, verifyPresentation } from 'did-jwt-vc'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { computeAddress, hexlify } from 'ethers'

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const network = '0x' + BigInt(input.chainId).toString(16)
const resolver = new Resolver(
  getResolver({ networks: [{ name: network, chainId: input.chainId, rpcUrl: input.rpcUrl, registry: input.registry }] }),
)
const out = {}

async function outcome(name, check) {
  try {
    out[name] = { valid: true, ...((await check()) || {}) }
  } catch (e) {
    out[name] = { valid: false, error: String(e && e.message ? e.message : e) }
  }
}

for (const [name, jwt] of Object.entries(input.credentials || {})) {
  await outcome(name, async () => {
    const v = await verifyCredential(jwt, resolver)
    return { claims: v.verifiableCredential.credentialSubject }
  })
}
for (const [name, p] of Object.entries(input.presentations || {})) {
  await outcome(name, async () => {
    await verifyPresentation(p.jwt, resolver, { audience: p.audience, challenge: p.nonce })
  })
}

// ---- SD-JWT VC: ES256K over JWKs with node:crypto, the issuer key checked against the DID.
const b64 = (s) => Buffer.from(s, 'base64url')
const hasher = (data) => createHash('sha256').update(typeof data === 'string' ? data : Buffer.from(data)).digest()
function es256kVerify(jwk) {
  const key = createPublicKey({ key: jwk, format: 'jwk' })
  return (data, sig) => verifySignature('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, b64(sig))
}
function addressOf(jwk) {
  return computeAddress(hexlify(Buffer.concat([Buffer.from([4]), b64(jwk.x), b64(jwk.y)]))).toLowerCase()
}
for (const [name, p] of Object.entries(input.sdJwts || {})) {
  await outcome(name, async () => {
    const jwt = p.presentation.split('~')[0]
    const header = JSON.parse(b64(jwt.split('.')[0]).toString())
    const payload = JSON.parse(b64(jwt.split('.')[1]).toString())
    const doc = (await resolver.resolve(payload.iss)).didDocument
    const live = (doc?.verificationMethod || []).map((vm) => (vm.blockchainAccountId || '').split(':').pop().toLowerCase())
    if (!header.jwk || !live.includes(addressOf(header.jwk))) throw new Error('issuer key is not a live key of ' + payload.iss)
    const sdjwt = new SDJwtVcInstance({
      hasher,
      hashAlg: 'sha-256',
      verifier: es256kVerify(header.jwk),
      kbVerifier: (data, sig, signed) => es256kVerify(signed.cnf.jwk)(data, sig),
    })
    const verified = await sdjwt.verify(p.presentation, { keyBindingNonce: p.nonce })
    if (verified.kb.payload.aud !== p.audience) throw new Error('key binding made for another audience')
    const claims = await sdjwt.getClaims(p.presentation)
    return { claims }
  })
}
process.stdout.write(JSON.stringify(out) + '\n')
