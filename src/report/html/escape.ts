// Text into HTML (and SVG): the five characters that could open markup, and control characters
// made visible (report text can be anything a gateway sent).
import { visibleControls } from '../format.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(s: string): string {
  return visibleControls(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A number for a table: integers as they are, others to six significant digits. */
export function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}
