// Bedrock's in-stream failures, shared by ConverseStream and InvokeModelWithResponseStream:
// `:message-type exception` frames (a modeled exception, named in `:exception-type`, with a JSON
// `{"message": …}` payload) and `:message-type error` frames (unmodeled, `:error-code` and
// `:error-message` headers). Both become one canonical error that keeps Bedrock's message and
// names the exception in `code`.
import type { CanonicalEvent, ErrorKind } from '../../canonical/events.ts';
import { isJsonObject, parseJson } from '../../base/json.ts';
import { errorKind } from '../openai-compatible/errors.ts';

type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

/** The union members of ConverseStreamOutput / ResponseStream, with the HTTP status AWS gives each. */
const EXCEPTIONS: Record<string, { kind: ErrorKind; status: number }> = {
  throttlingException: { kind: 'rate_limit', status: 429 },
  serviceUnavailableException: { kind: 'overloaded', status: 503 },
  validationException: { kind: 'bad_request', status: 400 },
  modelTimeoutException: { kind: 'timeout', status: 408 },
  internalServerException: { kind: 'upstream', status: 500 },
  modelStreamErrorException: { kind: 'upstream', status: 424 },
  accessDeniedException: { kind: 'auth', status: 403 },
  resourceNotFoundException: { kind: 'bad_request', status: 404 },
};

export function exceptionEvent(exceptionType: string, payload: Buffer): ErrorEvent {
  const known = EXCEPTIONS[exceptionType] ?? EXCEPTIONS[lowerFirst(exceptionType)];
  const event: ErrorEvent = {
    type: 'error',
    kind: known?.kind ?? guessKind(exceptionType),
    message: messageOf(payload) ?? `Bedrock ${exceptionType}`,
    code: exceptionType,
  };
  if (known) event.status = known.status;
  return event;
}

export function unmodeledErrorEvent(errorCode: string, errorMessage: string): ErrorEvent {
  return { type: 'error', kind: guessKind(errorCode), message: errorMessage || `Bedrock error ${errorCode}`, code: errorCode };
}

function guessKind(name: string): ErrorKind {
  const n = name.toLowerCase();
  if (n.includes('throttl')) return 'rate_limit';
  if (n.includes('unavailable')) return 'overloaded';
  if (n.includes('validation')) return 'bad_request';
  return errorKind(undefined, n);
}

/** The exception's own message: `message` (Bedrock) or `Message` (some AWS services). */
function messageOf(payload: Buffer): string | undefined {
  if (payload.length === 0) return undefined;
  const text = payload.toString('utf8');
  const body = parseJson(text);
  if (body === undefined) return text.slice(0, 500);
  const m = isJsonObject(body) ? (body['message'] ?? body['Message']) : undefined;
  return typeof m === 'string' ? m : undefined;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
