// The page around the sections: one HTML file with its styles inline and a Content-Security-Policy
// that forbids every fetch, so the report opens the same from file://, a CI artifact or a mail.
import { esc } from './escape.ts';

export interface Section {
  id: string;
  title: string;
  html: string;
}

const CSS = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --pass:#1a7f37; --fail:#cf222e; --skip:#9a6700; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
header { padding: 16px 24px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 20px; }
nav { padding: 8px 24px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: var(--bg); z-index: 1; }
nav a { margin-right: 16px; color: #0969da; text-decoration: none; }
main { padding: 0 24px 48px; max-width: 1400px; }
section { margin-top: 24px; }
h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 8px; }
h4 { font-size: 13px; margin: 8px 0 4px; color: var(--muted); font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f6f8fa; white-space: nowrap; }
.pass { color: var(--pass); font-weight: 600; }
.fail { color: var(--fail); font-weight: 600; }
.skip { color: var(--skip); font-weight: 600; }
.muted { color: var(--muted); }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart-box { border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
svg.chart { display: block; max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
svg .grid { stroke: #eaeef2; stroke-width: 1; }
svg .frame { fill: none; stroke: #8c959f; stroke-width: 1; }
svg .zero { stroke: #57606a; stroke-width: 1; }
svg .tick { fill: #424a53; }
svg .axis-label { fill: #1f2328; font-weight: 600; }
svg .legend { fill: #1f2328; }
.diff { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.diff pre { margin: 0; padding: 8px; border: 1px solid var(--line); background: #f6f8fa; overflow: auto; max-height: 420px; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
.diff mark { background: #ffd33d; outline: 1px solid #cf222e; }
.diff .after { background: #ffebe9; }
pre.detail { padding: 8px; background: #f6f8fa; border: 1px solid var(--line); overflow: auto; max-height: 300px; font-size: 12px; white-space: pre-wrap; }
td.cell-pass { background: #dafbe1; text-align: center; }
td.cell-fail { background: #ffebe9; text-align: center; }
td.cell-none { color: var(--muted); text-align: center; }
.chips span { display: inline-block; margin: 1px 4px 1px 0; padding: 0 6px; border-radius: 10px; font-size: 12px; border: 1px solid var(--line); }
.chips span.ok { background: #dafbe1; }
.chips span.bad { background: #ffebe9; }
`;

/** The whole document: header, a link per section, the sections. */
export function page(o: { title: string; subtitle: string; status?: 'pass' | 'fail'; sections: readonly Section[] }): string {
  const nav = o.sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('');
  const body = o.sections
    .map((s) => `<section id="${esc(s.id)}" data-section="${esc(s.id)}"><h2>${esc(s.title)}</h2>${s.html}</section>`)
    .join('\n');
  const status = o.status ? ` <span class="${o.status}">${o.status === 'pass' ? 'PASS' : 'FAIL'}</span>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(o.title)}${status}</h1><div class="muted">${esc(o.subtitle)}</div></header>
<nav>${nav}</nav>
<main>
${body}
</main>
</body>
</html>
`;
}

/** A table from a header row and rows of ready HTML cells. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function statusSpan(status: 'pass' | 'fail' | 'skip'): string {
  return `<span class="${status}">${status.toUpperCase()}</span>`;
}

export function chartBox(title: string, svg: string): string {
  return `<div class="chart-box"><h4>${esc(title)}</h4>${svg}</div>`;
}
