// Failure classes for load runs: every failed stream lands in exactly one.
export type ErrorClass =
  /** No response head: refused, reset or closed before the status line. */
  | 'connect'
  /** Headers, idle-body or whole-stream time limit hit. */
  | 'timeout'
  | 'http_4xx'
  | 'http_5xx'
  /** The transport failed after the response head (reset mid-body). */
  | 'body'
  /** The body ended without a terminal event ([DONE], finish or error). */
  | 'incomplete'
  /** The stream carried an error event the cassette does not expect. */
  | 'stream_error';

export const ERROR_CLASSES: readonly ErrorClass[] = ['connect', 'timeout', 'http_4xx', 'http_5xx', 'body', 'incomplete', 'stream_error'];

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** A transport error, by whether the response head had arrived. */
export function classifyTransportError(err: unknown, afterHead: boolean): ErrorClass {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  const code = e?.code ?? e?.cause?.code ?? '';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  return afterHead ? 'body' : 'connect';
}

export function classifyStatus(status: number): ErrorClass | null {
  if (status >= 200 && status < 300) return null;
  return status >= 500 ? 'http_5xx' : 'http_4xx';
}

export function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  return e?.cause?.code ?? e?.code ?? e?.message ?? String(err);
}
