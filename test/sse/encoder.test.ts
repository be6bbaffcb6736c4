import { describe, it, expect } from 'vitest';
import { encodeSseComment, encodeSseEvent, type SseOutgoingEvent } from '../../src/sse/encoder.ts';
import { checkAllSplits, comment, ev, runCuts, type Entry } from './harness.ts';

/** What the parser should report for an encoded event: line breaks in data all become LF. */
function expected(e: SseOutgoingEvent, lastId: string | null = null): Entry {
  // An empty event type reads back as the default type (null), as if no event field was written.
  return ev(e.data.replace(/\r\n|\r/g, '\n'), e.event || null, e.id ?? lastId);
}

describe('encodeSseEvent round-trips through the parser', () => {
  const cases: SseOutgoingEvent[] = [
    { data: 'hello' },
    { data: '' },
    { event: 'delta', id: '42', data: '{"x":1}' },
    { event: '', id: '', data: 'empty type and id' },
    { data: 'a\nb' },
    { data: 'a\r\nb' },
    { data: 'a\rb' },
    { data: 'a\r\n\r\nb\n\nc\r\rd' },
    { data: '\n' },
    { data: '\r\n' },
    { data: '\r' },
    { data: 'trailing\n' },
    { data: '\nleading' },
    { data: 'x\r' },
    { data: ' one leading space' },
    { data: '  two leading spaces' },
    { data: ':looks like a comment' },
    { data: 'data: nested\n\nid: 9' },
    { data: 'é😀€ 中文\r\n🆔' },
    { data: 'nul \0 inside' },
    { event: 'ünïcødé', id: '🆔', data: 'x' },
  ];
  for (const c of cases) {
    it(JSON.stringify(c), () => {
      const text = encodeSseEvent(c);
      expect(text.endsWith('\n\n')).toBe(true);
      checkAllSplits(text, [expected(c)]);
    });
  }

  it('a sequence of events, with the id persisting where an event sets none', () => {
    const seq: SseOutgoingEvent[] = [{ id: '1', data: 'a\r\nb' }, { event: 'e', data: 'c' }, { id: '2', data: '' }, { data: '\r' }];
    const text = seq.map(encodeSseEvent).join('');
    checkAllSplits(text, [expected(seq[0]!), expected(seq[1]!, '1'), expected(seq[2]!), expected(seq[3]!, '2')]);
  });

  it('random data strings survive the round trip (line breaks normalized to LF)', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const alphabet = ['a', 'z', ' ', ':', 'é', '😀', '\n', '\r', '\r\n', '\0', '\uFEFF', 'data: '];
    for (let i = 0; i < 300; i++) {
      const events: SseOutgoingEvent[] = [];
      const n = 1 + Math.floor(rnd() * 4);
      for (let j = 0; j < n; j++) {
        let data = '';
        const len = Math.floor(rnd() * 12);
        for (let k = 0; k < len; k++) data += alphabet[Math.floor(rnd() * alphabet.length)]!;
        const e: SseOutgoingEvent = { data };
        if (rnd() < 0.3) e.event = `t${j}`;
        if (rnd() < 0.3) e.id = `${i}-${j}`;
        events.push(e);
      }
      const bytes = Buffer.from(events.map(encodeSseEvent).join(''), 'utf8');
      let lastId: string | null = null;
      const want = events.map((e) => {
        const w = expected(e, lastId);
        if (e.id !== undefined) lastId = e.id;
        return w;
      });
      const cut = Math.floor(rnd() * (bytes.length + 1));
      expect(runCuts(bytes, [cut]).entries, JSON.stringify(events)).toEqual(want);
    }
  });
});

describe('encodeSseComment round-trips through the parser', () => {
  it('is a comment and a blank line, dispatching nothing', () => {
    const got = checkAllSplits(encodeSseComment('keep-alive'), [comment(' keep-alive')]);
    expect(got.boundaries).toEqual([14]);
  });

  it('line breaks in the text become spaces, so it stays one comment line', () => {
    checkAllSplits(encodeSseComment('a\r\nb\nc\rd\n\n\ne'), [comment(' a b c d e')]);
  });

  it('an empty comment', () => {
    checkAllSplits(encodeSseComment(''), [comment(' ')]);
  });

  it('comments between events do not disturb them', () => {
    const text =
      encodeSseComment('open') +
      encodeSseEvent({ event: 'delta', data: 'x\ny' }) +
      encodeSseComment('ping\r\n') +
      encodeSseEvent({ id: '7', data: 'z' });
    checkAllSplits(text, [comment(' open'), ev('x\ny', 'delta'), comment(' ping '), ev('z', null, '7')]);
  });
});
