// wasm.mjs — what the tests in tests/e2e/ share: static/e2e.wasm loaded through
// static/js/e2e.js (as the page loads it), the Wycheproof directory beside the repository,
// and the native command line (build/e2e/parley-e2e, cgi/e2e/ built with the sanitizers).
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadE2E } from '../../static/js/e2e.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const vectors = process.env.PARLEY_WYCHEPROOF || fileURLToPath(new URL('../../../shared/vectors/wycheproof/', import.meta.url));

export async function wasm() {
  return loadE2E(readFileSync(root + 'static/e2e.wasm'));
}

export const hex = (b) => Buffer.from(b).toString('hex');
export const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
export const utf8 = (s) => new TextEncoder().encode(s);
export const text = (b) => new TextDecoder().decode(b);

// Runs commands on the native build: each [cmd, ...args] (Uint8Array args go as hex, strings
// as they are, null as "-"); returns each answer's results as Uint8Arrays, or throws.
export function native(...cmds) {
  const input = cmds.map(([c, ...args]) => [c, ...args.map((a) => a === null ? '-' : typeof a === 'string' ? a : hex(a))].join(' ')).join('\n') + '\n';
  const r = spawnSync(root + 'build/e2e/parley-e2e', { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`parley-e2e exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((line) => {
    const [status, ...rest] = line.split(' ');
    if (status !== 'ok') throw new Error(`parley-e2e: ${line}`);
    return rest.map(unhex);
  });
}
