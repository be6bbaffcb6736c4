// What a client sees when the gateway cannot serve a request: before any byte, an HTTP status
// with an OpenAI-shaped body; the provider's own message is kept wherever there is one.
import type { ServerResponse } from 'node:http';
import { errorTypeFor } from '../canonical/openai-chat-encoder.ts';
import type { CanonicalEvent, ErrorKind } from '../canonical/events.ts';

export type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

export type TimeoutPhase = 'connect' | 'first_byte' | 'idle' | 'total';

/** Why an attempt failed before anything reached the client (so another attempt may still serve it). */
export type AttemptFailure =
  | { kind: 'status'; status: number; retryAfterMs?: number; error: ErrorEvent }
  | { kind: 'network'; detail: string }
  | { kind: 'timeout'; phase: TimeoutPhase; ms: number }
  | { kind: 'client_gone' };

/** Why a route was not even tried. */
export type RouteRefusal =
  | { kind: 'breaker_open'; route: string; retryInMs: number }
  | { kind: 'capacity'; route: string; reason: 'concurrency' | 'rate'; retryAfterMs: number };

export interface ClientError {
  status: number;
  kind: ErrorKind;
  message: string;
  code: string | number | null;
  type?: string;
  retryAfterMs?: number;
}

export function clientErrorFor(failure: AttemptFailure | RouteRefusal): ClientError {
  switch (failure.kind) {
    case 'status': {
      const e = failure.error;
      const out: ClientError = { status: failure.status, kind: e.kind, message: e.message, code: e.code ?? null };
      if (e.errorType !== undefined) out.type = e.errorType;
      if (failure.retryAfterMs !== undefined) out.retryAfterMs = failure.retryAfterMs;
      return out;
    }
    case 'network':
      return { status: 502, kind: 'upstream', message: `upstream request failed: ${failure.detail}`, code: null };
    case 'timeout':
      return { status: 504, kind: 'timeout', message: timeoutMessage(failure.phase, failure.ms), code: null };
    case 'client_gone':
      return { status: 499, kind: 'upstream', message: 'client closed the request', code: null };
    case 'breaker_open':
      return {
        status: 503,
        kind: 'overloaded',
        message: `route ${JSON.stringify(failure.route)} is unavailable: its circuit breaker is open after repeated upstream failures`,
        code: 'circuit_open',
        retryAfterMs: failure.retryInMs,
      };
    case 'capacity':
      return {
        status: 429,
        kind: 'rate_limit',
        message:
          failure.reason === 'concurrency'
            ? `route ${JSON.stringify(failure.route)} is at its concurrency limit`
            : `route ${JSON.stringify(failure.route)} is over its request rate limit`,
        code: failure.reason === 'concurrency' ? 'route_concurrency_limit' : 'route_rate_limit',
        retryAfterMs: failure.retryAfterMs,
      };
  }
}

/** Messages name the configured limit, never a measured time, so error goldens are byte-stable. */
export function timeoutMessage(phase: TimeoutPhase, ms: number): string {
  switch (phase) {
    case 'connect':
      return `upstream connection not established within ${ms} ms (connect timeout)`;
    case 'first_byte':
      return `upstream sent no response within ${ms} ms (first-byte timeout)`;
    case 'idle':
      return `upstream sent nothing for ${ms} ms (idle timeout)`;
    case 'total':
      return `request exceeded the total timeout of ${ms} ms`;
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  kind: ErrorKind,
  message: string,
  code: string | number | null = null,
  type?: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  sendJson(res, status, { error: { message, type: type ?? errorTypeFor(kind), param: null, code } }, headers);
}

export function sendClientError(res: ServerResponse, e: ClientError): void {
  const headers: Record<string, string> = {};
  if (e.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
  sendError(res, e.status, e.kind, e.message, e.code, e.type, headers);
}

/**
 * A short, stable name for a network error. Resets and closes are one thing to a client (the
 * upstream went away), whichever of ECONNRESET / "other side closed" the socket layer reported.
 */
export function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'connection closed by upstream';
  return code ?? e.cause?.message ?? e.message ?? String(err);
}
