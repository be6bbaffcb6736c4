// The XML tool-call format written into Straico prompts and read back out of answers: whatever
// the request side writes, the answer side parses to the same call.
import { describe, expect, it } from 'vitest';
import { parseAnswer, renderToolCall } from '../../../src/providers/straico/tool-xml.ts';

describe('straico tool-call XML', () => {
  it('parses back every call it writes, arguments normalised to compact JSON', () => {
    const calls = [
      { name: 'get_weather', arguments: { city: 'São Paulo', unit: 'celsius' } },
      { name: 'search', arguments: { q: 'a <b> & "c"', tags: ['x', 'y'], n: 2.5 } },
      { name: 'now', arguments: {} },
    ];
    const answer = `Working on it.\n${calls.map((c) => renderToolCall(c.name, JSON.stringify(c.arguments, null, 2))).join('\n')}`;
    expect(parseAnswer(answer)).toEqual({
      ok: true,
      text: 'Working on it.',
      calls: calls.map((c) => ({ name: c.name, arguments: JSON.stringify(c.arguments) })),
    });
  });

  it('takes the last closing tag, so arguments may mention the tag names', () => {
    const parsed = parseAnswer('<tool_call><name>note</name><arguments>{"text":"use </arguments> carefully"}</arguments></tool_call>');
    expect(parsed).toEqual({ ok: true, text: '', calls: [{ name: 'note', arguments: '{"text":"use </arguments> carefully"}' }] });
  });

  it('does not end a call at a tool-call tag inside its JSON arguments (found by the fuzzer)', () => {
    const args = '{"text":"a </tool_call> b <tool_call> c","n":1}';
    const answer = `Sure.\n<tool_call><name>send_note</name><arguments>${args}</arguments></tool_call>\n<tool_call><name>ping</name><arguments>{}</arguments></tool_call>`;
    const parsed = parseAnswer(answer);
    expect(parsed).toEqual({
      ok: true,
      text: 'Sure.',
      calls: [
        { name: 'send_note', arguments: args },
        { name: 'ping', arguments: '{}' },
      ],
    });
  });

  it('leaves text alone when there are no calls', () => {
    expect(parseAnswer('Plain <b>html</b> answer. ')).toEqual({ ok: true, text: 'Plain <b>html</b> answer. ', calls: [] });
  });

  it('reports where a call is broken', () => {
    expect(parseAnswer('ab<tool_call><name>f</name>')).toEqual({ ok: false, message: '<tool_call> at character 2 is never closed' });
  });
});
