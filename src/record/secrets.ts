// The secret values of one exchange, and the final scan: every value seen in a credential header,
// a credential query parameter or a secret-named JSON field of the exchange, and every
// environment variable whose name says KEY, TOKEN, SECRET or PASSWORD, is looked for in the
// finished cassette (every field, every chunk decoded, the reads joined, the payloads inside
// event-stream frames). One hit and the cassette is not written; the refusal names the field and
// where the value came from, never the value. Log lines go through `mask` for the same reason.
import { readAllFrames } from '../eventstream/index.ts';
import { isJsonObject, parseJson } from '../base/json.ts';
import { isSecretField, isSecretHeader, isSecretQueryParam, REDACTED } from './redact.ts';

/** Shorter values are too common to look for (they are still redacted where they stand). */
export const MIN_SECRET_LENGTH = 8;

const SECRET_ENV_NAME = /KEY|TOKEN|SECRET|PASSWORD/i;

export interface SecretValue {
  value: string;
  /** Where it was seen, for messages: `header x-api-key`, `environment variable OPENAI_API_KEY`. */
  origin: string;
}

export class SecretSet {
  private readonly byValue = new Map<string, string>();

  add(value: string, origin: string): void {
    const v = value.trim();
    if (v.length < MIN_SECRET_LENGTH || v === REDACTED || this.byValue.has(v)) return;
    this.byValue.set(v, origin);
  }

  addAll(other: SecretSet): this {
    for (const s of other.values()) this.add(s.value, s.origin);
    return this;
  }

  values(): SecretValue[] {
    return [...this.byValue].map(([value, origin]) => ({ value, origin }));
  }

  get size(): number {
    return this.byValue.size;
  }

  /** The first secret the text holds. */
  find(text: string): SecretValue | null {
    for (const [value, origin] of this.byValue) if (text.includes(value)) return { value, origin };
    return null;
  }

  /** Text with every known secret value replaced by the marker (for log lines and messages). */
  mask(text: string): string {
    let out = text;
    // Longest first, so a value that contains another is masked whole.
    for (const value of [...this.byValue.keys()].sort((a, b) => b.length - a.length)) out = out.split(value).join(REDACTED);
    return out;
  }
}

/** The secret parts of a credential header value: the token after a scheme, SigV4's key id and signature, cookie values. */
function credentialParts(name: string, value: string): string[] {
  const out = [value];
  const lower = name.toLowerCase();
  if (lower === 'cookie' || lower === 'set-cookie') {
    for (const pair of value.split(/;\s*|,\s*(?=[^;,=\s]+=)/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) out.push(pair.slice(eq + 1));
    }
    return out;
  }
  const scheme = /^(\S+)\s+(.+)$/s.exec(value);
  if (scheme) {
    out.push(scheme[2]!);
    const credential = /Credential=([^/,\s]+)/.exec(value);
    if (credential) out.push(credential[1]!);
    const signature = /Signature=([0-9a-fA-F]+)/.exec(value);
    if (signature) out.push(signature[1]!);
  }
  return out;
}

export function collectHeaderSecrets(into: SecretSet, headers: Iterable<readonly [string, string]>, where: string): void {
  for (const [name, value] of headers) {
    if (!isSecretHeader(name)) continue;
    for (const part of credentialParts(name, value)) into.add(part, `${where} header ${name.toLowerCase()}`);
  }
}

export function collectQuerySecrets(into: SecretSet, query: Iterable<readonly [string, string]>): void {
  for (const [name, value] of query) if (isSecretQueryParam(name)) into.add(value, `query parameter ${name}`);
}

/** Values of secret-named fields at any depth of a JSON value. */
export function collectJsonSecrets(into: SecretSet, value: unknown, where: string): void {
  if (Array.isArray(value)) {
    for (const v of value) collectJsonSecrets(into, v, where);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (isSecretField(k) && typeof v === 'string') into.add(v, `${where} field ${k}`);
    else collectJsonSecrets(into, v, where);
  }
}

export function collectEnvSecrets(into: SecretSet, env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && SECRET_ENV_NAME.test(name)) into.add(value, `environment variable ${name}`);
  }
}

export interface SecretHit {
  /** The cassette field that holds it, e.g. `response.chunks[3].text`. */
  field: string;
  origin: string;
}

/**
 * The first secret the cassette still holds: in any field (base64 chunks decoded), across reads
 * (the body joined), inside event-stream frames (payloads and base64 events decoded), or
 * anywhere in the text about to be written.
 */
export function findSecretInCassette(cassette: unknown, text: string, secrets: SecretSet): SecretHit | null {
  if (secrets.size === 0) return null;
  const hit = walk(cassette, '', secrets);
  if (hit) return hit;
  const chunks = chunkBytes(cassette);
  if (chunks.length > 0) {
    const body = Buffer.concat(chunks);
    for (const decoded of [body.toString('utf8'), body.toString('latin1')]) {
      const found = secrets.find(decoded);
      if (found)
        return {
          field: `response.chunks (the value is cut across reads ${readsSpanning(chunks, decoded, found.value)})`,
          origin: found.origin,
        };
    }
    const inFrames = findInEventStream(body, secrets);
    if (inFrames) return inFrames;
  }
  const found = secrets.find(text);
  return found ? { field: 'the cassette text', origin: found.origin } : null;
}

function walk(value: unknown, path: string, secrets: SecretSet): SecretHit | null {
  if (typeof value === 'string') {
    const candidates = path.endsWith('.base64')
      ? [value, Buffer.from(value, 'base64').toString('utf8'), Buffer.from(value, 'base64').toString('latin1')]
      : [value];
    for (const c of candidates) {
      const found = secrets.find(c);
      if (found) return { field: path, origin: found.origin };
    }
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = walk(value[i], `${path}[${i}]`, secrets);
      if (hit) return hit;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyHit = secrets.find(k);
      if (keyHit) return { field: `${path ? `${path}.` : ''}${k} (a key)`, origin: keyHit.origin };
      const hit = walk(v, path ? `${path}.${k}` : k, secrets);
      if (hit) return hit;
    }
  }
  return null;
}

function chunkBytes(cassette: unknown): Buffer[] {
  const chunks = (cassette as { response?: { chunks?: unknown } } | null)?.response?.chunks;
  if (!Array.isArray(chunks)) return [];
  return chunks.map((c: { text?: unknown; base64?: unknown }) =>
    typeof c.base64 === 'string' ? Buffer.from(c.base64, 'base64') : Buffer.from(typeof c.text === 'string' ? c.text : '', 'utf8'),
  );
}

function readsSpanning(chunks: readonly Buffer[], decoded: string, value: string): string {
  const at = Buffer.byteLength(decoded.slice(0, decoded.indexOf(value)), 'utf8');
  let pos = 0;
  let first = -1;
  for (let i = 0; i < chunks.length; i++) {
    const end = pos + chunks[i]!.length;
    if (first < 0 && at < end) first = i;
    if (first >= 0 && at + Buffer.byteLength(value) <= end) return `${first}..${i}`;
    pos = end;
  }
  return `${Math.max(first, 0)}..${chunks.length - 1}`;
}

function findInEventStream(body: Buffer, secrets: SecretSet): SecretHit | null {
  let frames: ReturnType<typeof readAllFrames>;
  try {
    frames = readAllFrames(body);
  } catch {
    return null;
  }
  for (let i = 0; i < frames.length; i++) {
    const payload = frames[i]!.payload.toString('utf8');
    const parsed = parseJson(payload);
    const inner =
      isJsonObject(parsed) && typeof parsed['bytes'] === 'string' ? Buffer.from(parsed['bytes'], 'base64').toString('utf8') : '';
    const found = secrets.find(payload) ?? secrets.find(inner);
    if (found) return { field: `response.chunks (event-stream frame ${i})`, origin: found.origin };
  }
  return null;
}
