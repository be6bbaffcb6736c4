// JSON from the outside world: untrusted text in, plain values out, no exceptions for the
// common "is this JSON at all?" question. One place for the object test every reader needs.

/** A parsed JSON object, read field by field with `unknown` values. */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `JSON.parse` that answers `undefined` for text that is not JSON, instead of throwing. JSON itself
 * has no `undefined`, so the answer is never ambiguous.
 */
export function parseJson(text: string | Uint8Array): unknown {
  try {
    return JSON.parse(typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The JSON object `text` holds, or `undefined` when it is not JSON or not an object. */
export function parseJsonObject(text: string | Uint8Array): JsonObject | undefined {
  const value = parseJson(text);
  return isJsonObject(value) ? value : undefined;
}
