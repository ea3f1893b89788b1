// A software passkey for the tests: what a browser and an authenticator together send to a
// relying party (W3C WebAuthn Level 2), built here with Node's own crypto (P-256, ES256)
// and a small CBOR encoder, independently of the C code that checks it.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();

/** CBOR (RFC 8949) of numbers, strings, Buffers, arrays and objects with text or integer keys (a Map). */
export function cbor(v) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([major << 5 | n]);
    if (n < 256) return Buffer.from([major << 5 | 24, n]);
    if (n < 65536) { const b = Buffer.alloc(3); b[0] = major << 5 | 25; b.writeUInt16BE(n, 1); return b; }
    const b = Buffer.alloc(5); b[0] = major << 5 | 26; b.writeUInt32BE(n, 1); return b;
  };
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') { const s = Buffer.from(v, 'utf8'); return Buffer.concat([head(3, s.length), s]); }
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, x]) => [cbor(k), cbor(x)])]);
}

/**
 * One passkey on a software authenticator. `create(options, origin)` answers a registration's
 * options as the browser would send it to the server; `get(options, origin, userHandle)` a
 * sign-in's. `flags` and `counter` may be changed to misbehave.
 */
export class SoftPasskey {
  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.x = Buffer.from(jwk.x, 'base64url');
    this.y = Buffer.from(jwk.y, 'base64url');
    this.credentialId = randomBytes(32);
    this.id = b64url(this.credentialId);
    this.counter = 0;
    this.flags = 0x05;        // user present and verified
  }

  cose() {
    return cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, this.x], [-3, this.y]]));
  }

  authData(rpId, attested) {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    const parts = [sha256(rpId), Buffer.from([this.flags | (attested ? 0x40 : 0)]), count];
    if (attested) {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.alloc(16), len, this.credentialId, this.cose());
    }
    return Buffer.concat(parts);
  }

  create(options, origin, { type = 'webauthn.create', rpId = options.rp.id } = {}) {
    const clientData = Buffer.from(JSON.stringify({ type, challenge: options.challenge, origin, crossOrigin: false }));
    const attestation = cbor({ fmt: 'none', attStmt: {}, authData: this.authData(rpId, true) });
    return {
      id: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientData), attestationObject: b64url(attestation) },
    };
  }

  get(options, origin, userHandle, { type = 'webauthn.get', rpId = options.rpId } = {}) {
    this.counter += 1;
    const clientData = Buffer.from(JSON.stringify({ type, challenge: options.challenge, origin, crossOrigin: false }));
    const authData = this.authData(rpId, false);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return {
      id: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: b64url(Buffer.from(String(userHandle))),
      },
    };
  }
}
