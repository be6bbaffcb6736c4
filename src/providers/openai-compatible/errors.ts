// OpenAI-style error bodies ({"error": {...}}, vLLM's older {"object":"error", ...}, or a plain
// {"error": "text"}) turned into canonical error events, keeping the provider's message.
import type { CanonicalEvent, ErrorKind } from '../../canonical/events.ts';
import type { JsonObject } from '../../base/json.ts';

type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

export function errorEventFromBody(body: JsonObject, status?: number): ErrorEvent {
  const inner = body['error'];
  const e = inner !== null && typeof inner === 'object' ? (inner as JsonObject) : body;
  const message = typeof e['message'] === 'string' ? e['message'] : typeof inner === 'string' ? inner : 'upstream error';
  const errorType = typeof e['type'] === 'string' ? e['type'] : undefined;
  const rawCode = e['code'];
  const code = typeof rawCode === 'string' || typeof rawCode === 'number' ? rawCode : null;
  const numericStatus = status ?? (typeof rawCode === 'number' && rawCode >= 400 && rawCode < 600 ? rawCode : undefined);
  const event: ErrorEvent = { type: 'error', kind: errorKind(numericStatus, errorType), message, code };
  if (errorType !== undefined) event.errorType = errorType;
  if (numericStatus !== undefined) event.status = numericStatus;
  return event;
}

export function errorKind(status: number | undefined, type?: string): ErrorKind {
  const t = type?.toLowerCase() ?? '';
  if (status === 401 || status === 403 || t.includes('auth') || t.includes('permission')) return 'auth';
  if (status === 429 || t.includes('rate_limit') || t.includes('ratelimit')) return 'rate_limit';
  if (status === 529 || status === 503 || t.includes('overload')) return 'overloaded';
  if (status === 408 || status === 504 || t.includes('timeout')) return 'timeout';
  if (status === 400 || status === 404 || status === 422 || t.includes('invalid_request') || t.includes('badrequest')) return 'bad_request';
  return 'upstream';
}
