// Small readers shared by the stream decoders for untrusted upstream JSON.

/** A number field, or 0 when the upstream left it out or sent something else. */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/** A payload quoted for an error message, cut to 120 characters. */
export function preview(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}
