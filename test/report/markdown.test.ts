import { describe, expect, it } from 'vitest';
import { mdCode, mdFence, mdText, renderMarkdown } from '../../src/report/markdown.ts';
import { failingSummary, passingSummary } from './fixture.ts';

/** The body of the first fenced block opened by `fence` (a line of backticks only + info). */
function fencedBlocks(md: string): Array<{ fence: string; body: string }> {
  const out: Array<{ fence: string; body: string }> = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})[^`]*$/.exec(lines[i] ?? '');
    if (!open?.[1]) continue;
    const fence = open[1];
    const end = lines.findIndex((l, j) => j > i && new RegExp(`^\`{${fence.length},}\\s*$`).test(l));
    expect(end, `fence opened on line ${i + 1} is closed`).toBeGreaterThan(i);
    out.push({ fence, body: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

describe('renderMarkdown', () => {
  it('titles the run with status, target, run id, duration and totals', () => {
    const md = renderMarkdown(failingSummary());
    const [title, , facts] = md.split('\n');
    expect(title).toBe('## ❌ streamproof FAIL — 2/4 cases passed, 2 failed, 2 scenarios');
    expect(facts).toContain('`http://localhost:8787/v1?x=1&y=2`');
    expect(facts).toContain('`2026-11-21T05-31-07-123Z-a1b2`');
    expect(facts).toContain('1.23 s');
    expect(renderMarkdown(passingSummary()).split('\n')[0]).toMatch(/^## ✅ streamproof PASS/);
  });

  it('renders a table per scenario with escaped cells', () => {
    const md = renderMarkdown(failingSummary());
    expect(md).toContain('### ❌ openai-basics');
    expect(md).toContain('### ❌ anthropic \\<basics\\>');
    expect(md).toContain('| openai/text-usage \\[normalize\\] | ✅ pass | 12 |  |');
    expect(md).toContain('| openai/tool-call \\[raw\\] \\| split | ❌ fail | 10 | `golden`, `chunking:bytewise` |');
    expect(md).toContain('| anthropic/errored | ❌ fail | 3 | — |');
    // Every table row has exactly 4 cells: 5 unescaped pipes.
    for (const row of md.split('\n').filter((l) => l.startsWith('| '))) {
      expect(row.replace(/\\\|/g, '').split('|').length - 1, row).toBe(5);
    }
  });

  it('lists every failed check with message and detail, in a fence longer than any inside', () => {
    const md = renderMarkdown(failingSummary());
    const failures = md.slice(md.indexOf('## Failures'));
    expect(md.indexOf('## Failures')).toBeGreaterThan(0);
    expect(failures).toContain('### openai/tool-call \\[raw\\] \\| split — `golden`');
    expect(failures).toContain('- **Message:** event 3 differs: \\<delta\\> \\& "usage"');
    expect(failures).toContain('### openai/tool-call \\[raw\\] \\| split — `chunking:bytewise`');
    expect(failures).toContain('- **Message:** stream ended early<br>after 2 events');
    expect(failures).toContain('### anthropic/errored');
    expect(failures).toContain('case failed without a failed check');

    const blocks = fencedBlocks(md);
    expect(blocks).toHaveLength(1);
    const [block] = blocks;
    expect(block?.fence).toBe('````');
    expect(block?.body).toContain('```json\n{"text":"<b>fish & chips</b>","q":"\'x\'"}\n```');
    expect(block?.body).toContain('end of CDATA ]]> here');
    // Control characters are shown, not passed through.
    expect(block?.body).toContain('nul:␀ esc:␛[31m lone:\uFFFD done');
    expect(md).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
  });

  it('lists masks per case under "Masks applied"', () => {
    const md = renderMarkdown(failingSummary());
    const masks = md.slice(md.indexOf('## Masks applied'));
    expect(md.indexOf('## Masks applied')).toBeGreaterThan(md.indexOf('## Failures'));
    expect(masks).toContain('- **openai/text-usage \\[normalize\\]** (openai-basics): `$.id`, `$.created`');
    expect(masks).toContain('`$.system_fingerprint`');
  });

  it('has no Failures or Masks section when there are none, and is deterministic', () => {
    const md = renderMarkdown(passingSummary());
    expect(md).not.toContain('## Failures');
    expect(md).not.toContain('## Masks applied');
    expect(md.endsWith('\n') && !md.endsWith('\n\n')).toBe(true);
    expect(renderMarkdown(failingSummary())).toBe(renderMarkdown(failingSummary()));
  });
});

describe('markdown helpers', () => {
  it('mdFence picks a fence longer than any backtick run, at least 3', () => {
    expect(mdFence('plain')).toBe('```text\nplain\n```');
    expect(mdFence('a ```` b\n')).toBe('`````text\na ```` b\n`````');
  });

  it('mdCode pads and lengthens around backticks and escapes pipes only in tables', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b')).toBe('`a|b`');
    expect(mdCode('a|b', true)).toBe('`a\\|b`');
    expect(mdCode('a\nb')).toBe('`a b`');
  });

  it('mdText escapes Markdown specials and line breaks', () => {
    expect(mdText('a|b\r\nc *d* [e](f) <g> $h$ \\')).toBe('a\\|b<br>c \\*d\\* \\[e\\](f) \\<g\\> \\$h\\$ \\\\');
  });
});
