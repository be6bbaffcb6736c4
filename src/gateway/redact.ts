// Secrets a route is configured with never reach a client: an upstream that echoes its API key in
// an error ("Incorrect API key provided: sk-…") gets it replaced before the message is relayed.
// Only error text is scanned (status bodies, error events), so the streaming path pays nothing.
import type { RouteConfig } from './config.ts';

export const REDACTED = '[redacted]';

/** Shorter values are not treated as secrets: replacing them would mangle ordinary text. */
const MIN_SECRET_CHARS = 8;
const SECRET_NAME = /key|secret|token|password|auth|credential|signature/i;

/** The values of a route that are secrets: its API key, and options and headers named like secrets. */
export function routeSecrets(route: Pick<RouteConfig, 'apiKey' | 'options' | 'headers'>): string[] {
  const values = new Set<string>();
  const add = (value: string | undefined) => {
    if (value === undefined) return;
    for (const part of [value, value.replace(/^Bearer\s+/i, '')]) if (part.length >= MIN_SECRET_CHARS) values.add(part);
  };
  add(route.apiKey);
  for (const [name, value] of Object.entries(route.options)) if (SECRET_NAME.test(name)) add(value);
  for (const [name, value] of Object.entries(route.headers)) if (SECRET_NAME.test(name)) add(value);
  // Longest first, so a value that contains another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
