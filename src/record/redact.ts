// Redaction: what a recording never writes. Applied to everything that comes from an exchange
// before it is turned into a cassette, so no secret reaches the disk, a report or a log line:
//
// - headers named like credentials (authorization, x-api-key, api-key, x-goog-api-key, cookie,
//   set-cookie, the AWS signature headers, and any name with key/token/secret/password/auth/
//   signature/credential/session as a word): the name is kept, the value becomes the marker;
// - query parameters `key`, `api_key`, every `X-Amz-*`, and names like credentials;
// - JSON fields named like secrets (api_key, apiKey, password, access_token, secret_access_key,
//   private_key, …) at any depth of a request body, and in response bodies wherever they appear
//   as `"name": "value"` text (bare `token` and `signature` excepted there: logprobs and thinking
//   signatures are model output);
// - well-known key formats anywhere in a body or chunk (OpenAI/Anthropic `sk-…`, AWS access key
//   ids, Google `AIza…` keys and `ya29.` tokens, xAI keys, `Bearer <token>`);
// - the user's own patterns (`--redact REGEX`), on bodies and chunks.
//
// The final scan (secrets.ts) is the safety net: a cassette that still holds a secret value seen
// in the exchange or in the environment is not written at all.
import { UsageError } from '../base/errors.ts';

export const REDACTED = '<redacted>';

const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-goog-api-key|x-amz-security-token|x-amz-signature|x-amz-credential)$|(^|[-_])(api[-_]?key|apikey|key|token|secret|password|passwd|auth|credentials?|signature|session)([-_]|$)/i;

const SECRET_QUERY = /^(key|api[-_]?key|apikey|access[-_]?token|token|sig|signature|password|secret|x-amz-.*)$/i;

/** JSON field names whose value is a secret. */
const SECRET_FIELD_NAMES =
  'api[-_]?key|x[-_]api[-_]key|secret|client[-_]?secret|secret[-_]?(?:access[-_]?)?key|access[-_]?key(?:[-_]?id)?|password|passwd|passphrase|access[-_]?token|refresh[-_]?token|id[-_]?token|auth[-_]?token|bearer[-_]?token|session[-_]?token|authorization|credentials?|private[-_]?key|cookie';
const SECRET_FIELD = new RegExp(`^(?:${SECRET_FIELD_NAMES}|token)$`, 'i');
/** The same names as `"name": "value"` in body text (not bare `token`: logprobs carry one per token). */
const SECRET_FIELD_TEXT = new RegExp(`"(?:${SECRET_FIELD_NAMES})"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'gi');

/** Key formats redacted wherever they appear; group 1 (when present) is the part replaced. */
const KEY_FORMATS: readonly RegExp[] = [
  /\bsk-(?:proj-|ant-(?:api\d\d-)?|svcacct-)?[A-Za-z0-9_-]{20,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}/g,
  /\bya29\.[0-9A-Za-z_-]{20,}/g,
  /\bxai-[A-Za-z0-9]{20,}/g,
  /\bBearer\s+([A-Za-z0-9._~+/-]{16,}=*)/g,
];

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

export function isSecretQueryParam(name: string): boolean {
  return SECRET_QUERY.test(name) || SECRET_HEADER.test(name);
}

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

/** The user's `--redact` patterns, compiled; a bad pattern is a usage error naming it. */
export function compileRedactPatterns(patterns: readonly string[]): RegExp[] {
  return patterns.map((source) => {
    let re: RegExp;
    try {
      re = new RegExp(source, 'gu');
    } catch (err) {
      throw new UsageError(`--redact ${JSON.stringify(source)} is not a valid regular expression: ${(err as Error).message}`);
    }
    if (re.test('')) throw new UsageError(`--redact ${JSON.stringify(source)} matches the empty string`);
    re.lastIndex = 0;
    return re;
  });
}

/** A span of text to replace: [start, end) in string indices. */
export interface TextSpan {
  start: number;
  end: number;
}

/**
 * Where secrets sit in a piece of body text: user patterns and key formats (the whole match, or
 * its first group), and the values of secret-named JSON fields. Spans are sorted and merged.
 */
export function secretSpans(text: string, userPatterns: readonly RegExp[]): TextSpan[] {
  const spans: TextSpan[] = [];
  const collect = (re: RegExp, group: 0 | 1) => {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      const whole = m[0];
      if (whole === '') continue;
      const part = group === 1 && m[1] !== undefined ? m[1] : whole;
      const start = m.index + (part === whole ? 0 : whole.lastIndexOf(part));
      if (part !== '') spans.push({ start, end: start + part.length });
    }
  };
  for (const re of userPatterns) collect(re, 0);
  for (const re of KEY_FORMATS) collect(re, 1);
  collect(SECRET_FIELD_TEXT, 1);
  return mergeSpans(spans);
}

function mergeSpans(spans: TextSpan[]): TextSpan[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: TextSpan[] = [];
  for (const s of spans) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** Text with every secret span replaced by the marker. */
export function redactText(text: string, userPatterns: readonly RegExp[]): string {
  const spans = secretSpans(text, userPatterns);
  if (spans.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const s of spans) {
    out += text.slice(pos, s.start) + REDACTED;
    pos = s.end;
  }
  return out + text.slice(pos);
}

/** A JSON value with secret-named fields (any depth) replaced by the marker and every string redacted. */
export function redactJson(value: unknown, userPatterns: readonly RegExp[]): unknown {
  if (typeof value === 'string') return redactText(value, userPatterns);
  if (Array.isArray(value)) return value.map((v) => redactJson(v, userPatterns));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretField(k) ? REDACTED : redactJson(v, userPatterns);
    return out;
  }
  return value;
}

/** Header values as a cassette may keep them: secrets replaced by the marker, names kept. */
export function redactHeaderValue(name: string, value: string, userPatterns: readonly RegExp[]): string {
  return isSecretHeader(name) ? REDACTED : redactText(value, userPatterns);
}

export function redactQueryValue(name: string, value: string, userPatterns: readonly RegExp[]): string {
  return isSecretQueryParam(name) ? REDACTED : redactText(value, userPatterns);
}
