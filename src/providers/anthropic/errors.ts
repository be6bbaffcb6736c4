// Anthropic error payloads ({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})
// as canonical error events: the provider's message and type kept verbatim.
import type { CanonicalEvent } from '../../canonical/events.ts';
import { isJsonObject, type JsonObject } from '../../base/json.ts';
import { errorKind } from '../openai-compatible/errors.ts';

type ErrorEvent = Extract<CanonicalEvent, { type: 'error' }>;

/** HTTP statuses Anthropic documents for each error type (an in-stream error has none of its own). */
const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, message kept verbatim. */
export function errorEventFromPayload(payload: JsonObject): ErrorEvent {
  const inner = isJsonObject(payload['error']) ? payload['error'] : payload;
  const errorType = typeof inner['type'] === 'string' && inner['type'] !== 'error' ? inner['type'] : undefined;
  const status = errorType !== undefined ? ERROR_STATUS[errorType] : undefined;
  const event: ErrorEvent = {
    type: 'error',
    kind: errorKind(status, errorType),
    message: typeof inner['message'] === 'string' ? inner['message'] : 'upstream error',
  };
  if (errorType !== undefined) event.errorType = errorType;
  if (status !== undefined) event.status = status;
  return event;
}
