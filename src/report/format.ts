// Small helpers shared by the report renderers. Everything here is pure and deterministic.

import type { CaseResult, CheckResult } from '../checks/result.ts';

/** The checks of a case that did not pass, in their original order. */
export function failedChecks(c: CaseResult): CheckResult[] {
  return c.checks.filter((ch) => !ch.ok);
}

/** A duration as a whole, non-negative number of milliseconds (0 for NaN/∞/negative input). */
export function wholeMs(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
}

/** A duration for people: "12 ms" below a second, "1.23 s" above. */
export function formatDuration(ms: number): string {
  const n = wholeMs(ms);
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(2)} s`;
}

/** A duration in seconds with millisecond precision, as JUnit's `time` attributes want it. */
export function seconds(ms: number): string {
  return (wholeMs(ms) / 1000).toFixed(3);
}

/** "1 case" / "2 cases". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** CRLF and lone CR become LF, so every renderer sees one kind of line break. */
export function normalizeNewlines(s: string): string {
  return s.replace(/\r\n?/g, '\n');
}

// C0 controls except TAB, LF and CR, plus DEL.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
// Unpaired surrogate halves, and the two noncharacters XML 1.0 forbids.
const BROKEN = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g;

/**
 * Makes characters that cannot (or should not) appear in a report visible instead of dropping
 * them: C0 controls and DEL become their Unicode "control picture" (NUL → ␀, ESC → ␛, DEL → ␡),
 * lone surrogates and U+FFFE/U+FFFF become U+FFFD. TAB, LF and CR are left alone. A byte-level
 * mismatch stays readable in the report, a terminal never receives raw escape sequences from
 * gateway output, and the result is always legal XML 1.0 text.
 */
export function visibleControls(s: string): string {
  return s
    .replace(CONTROL, (ch) => {
      const code = ch.charCodeAt(0);
      return String.fromCharCode(code === 0x7f ? 0x2421 : 0x2400 + code);
    })
    .replace(BROKEN, '\uFFFD');
}
