// The protocol checks on streams built here from the documented chunk format: a correct stream
// passes every rule however its bytes are split; each broken rule fails its own named check.
import { describe, expect, it } from 'vitest';
import { protocolChecks, STREAM_CHECKS, type ProtocolInput } from '../../src/checks/protocol.ts';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm' };
const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({ ...base, choices, ...extra });
const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ index: 0, delta: d, finish_reason: finish });

function sse(...events: unknown[]): string {
  return events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('');
}

const GOOD = sse(
  chunk([delta({ role: 'assistant', content: '' })]),
  chunk([delta({ content: 'Hi' })]),
  chunk([delta({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x":' } }] })]),
  chunk([delta({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] })]),
  chunk([delta({}, 'tool_calls')]),
  chunk([], { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }),
  '[DONE]',
);

function input(body: string, over: Partial<ProtocolInput> = {}, reads?: Buffer[]): ProtocolInput {
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8' },
    reads: (reads ?? [Buffer.from(body)]).map((bytes, i) => ({ at: BigInt(i), bytes })),
    request: { stream: true, includeUsage: true, choices: 1 },
    upstreamUsage: true,
    expectedStatus: 200,
    upstreamLastWriteAt: null,
    ...over,
  };
}

function failures(i: ProtocolInput): Record<string, string> {
  return Object.fromEntries(
    protocolChecks(i)
      .filter((c) => !c.ok)
      .map((c) => [c.name, c.message ?? '']),
  );
}

describe('protocol checks', () => {
  it('a correct stream passes every named rule, whole or split one byte per read', () => {
    const checks = protocolChecks(input(GOOD));
    expect(checks.map((c) => c.name)).toEqual([...STREAM_CHECKS]);
    expect(failures(input(GOOD))).toEqual({});
    const bytes = Buffer.from(GOOD);
    const bytewise = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    expect(failures(input(GOOD, {}, bytewise))).toEqual({});
  });

  it('names each broken rule', () => {
    const cases: [string, ProtocolInput, string, RegExp][] = [
      [
        'content-type',
        input(GOOD, { headers: { 'content-type': 'application/json' } }),
        'protocol.content-type',
        /expected text\/event-stream/,
      ],
      ['status', input(GOOD, { status: 202 }), 'protocol.status', /status 202, expected 200/],
      ['non-JSON', input(sse('oops', '[DONE]')), 'protocol.chunk-shape', /event 0: data is not JSON: "oops"/],
      [
        'wrong field type',
        input(sse(chunk([delta({ content: 5 }, 'stop')]), '[DONE]'), { request: { stream: true, includeUsage: false, choices: 1 } }),
        'protocol.chunk-shape',
        /event 0: chat.completion.chunk: choices\[0\]\.delta\.content: /,
      ],
      ['two ids', input(GOOD.replace('"chatcmpl-1"', '"chatcmpl-2"')), 'protocol.one-id-model', /2 different ids in one stream/],
      ['two [DONE]', input(`${GOOD}data: [DONE]\n\n`), 'protocol.single-terminal', /split terminal: 2 terminals/],
      ['no terminal', input(GOOD.replace('data: [DONE]\n\n', '')), 'protocol.single-terminal', /no terminal/],
      [
        '[DONE] after an error',
        input(sse(chunk([delta({ content: 'a' })]), { error: { message: 'boom', type: 'server_error' } }, '[DONE]')),
        'protocol.single-terminal',
        /\[DONE\] after an error: event 2 is \[DONE\] after the error event 1/,
      ],
      [
        'event after [DONE]',
        input(`${GOOD}${sse(chunk([delta({ content: 'late' })]))}`),
        'protocol.nothing-after-terminal',
        /event 7 after the \[DONE\] terminal/,
      ],
      [
        'usage twice',
        input(
          GOOD.replace(
            'data: [DONE]',
            `data: ${JSON.stringify(chunk([], { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }))}\n\ndata: [DONE]`,
          ),
        ),
        'protocol.usage',
        /usage sent 2 times/,
      ],
      [
        'usage not asked',
        input(GOOD, { request: { stream: true, includeUsage: false, choices: 1 } }),
        'protocol.usage',
        /did not ask for it/,
      ],
      ['usage dropped', input(GOOD.replace(/data: \{[^\n]*"usage"[^\n]*\n\n/, '')), 'protocol.usage', /usage dropped/],
      [
        'no finish reason',
        input(GOOD.replace('"finish_reason":"tool_calls"', '"finish_reason":null')),
        'protocol.finish-reason',
        /choice 0 ended \(with \[DONE\]\) without a finish_reason/,
      ],
      [
        'unknown finish reason',
        input(GOOD.replace('"finish_reason":"tool_calls"', '"finish_reason":"eos"')),
        'protocol.finish-reason',
        /"eos" is not one an OpenAI client knows/,
      ],
      [
        'id sent twice',
        input(GOOD.replace('{"index":0,"function":{"arguments":"1}"}}', '{"index":0,"id":"call_a","function":{"arguments":"1}"}}')),
        'protocol.tool-calls-once',
        /id "call_a" sent again/,
      ],
      ['bad arguments', input(GOOD.replace('"1}"', '"1"')), 'protocol.tool-arguments', /arguments do not join into JSON: "\{\\"x\\":1"/],
      [
        'choice index',
        input(GOOD.replace('"index":0,"delta":{"content":"Hi"}', '"index":1,"delta":{"content":"Hi"}')),
        'protocol.indexes',
        /choice index 1, but the request asked for 1 choice/,
      ],
      ['cut event', input(`${GOOD}data: {"id"`), 'protocol.sse-framing', /the stream ended inside an event/],
      [
        'buffering',
        input(GOOD, { upstreamLastWriteAt: 0n }),
        'protocol.no-buffering',
        /buffering: the first content event reached the client 0\.0 ms after the upstream's last write/,
      ],
    ];
    for (const [what, i, name, message] of cases) expect(failures(i)[name], what).toMatch(message);
  });

  it('an error status needs an OpenAI-shaped JSON error body', () => {
    const err = (body: string, type = 'application/json') => ({
      ...input(body, { status: 503, expectedStatus: 503, headers: { 'content-type': type } }),
    });
    expect(failures(err(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })))).toEqual({});
    expect(failures(err('upstream down', 'text/plain'))).toMatchObject({
      'protocol.content-type': expect.stringMatching(/expected application\/json/),
      'protocol.error-shape': expect.stringMatching(/not JSON/),
    });
  });

  it('buffering is judged only against a held-back last write', () => {
    const late = input(GOOD, { upstreamLastWriteAt: 10n });
    expect(failures(late)['protocol.no-buffering']).toBeUndefined();
    const note = protocolChecks(input(GOOD)).find((c) => c.name === 'protocol.no-buffering');
    expect(note).toMatchObject({ ok: true, message: expect.stringMatching(/^not judged/) });
  });
});
