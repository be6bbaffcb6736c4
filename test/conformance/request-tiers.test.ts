// The upstream request in two tiers: required facts fail any target, the reference gateway's own
// wording is a note for others; a cassette's `upstreamRequest.required` moves a fact between them.
import { describe, expect, it } from 'vitest';
import { upstreamRequestSchema } from '../../src/cassette/schema.ts';
import { checkUpstreamRequest, requiredFacts, tieredRequestProblems } from '../../src/checks/upstream-request.ts';
import type { ObservedRequest } from '../../src/replay/upstream.ts';

const expected = upstreamRequestSchema.parse({
  path: '/v1/chat/completions',
  headers: { present: ['authorization', 'content-type'], absent: ['api-key'] },
  body: {
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    temperature: 0.7,
    tools: [{ type: 'function', function: { name: 'f' } }],
  },
  bodyMatch: 'exact',
});

function sent(
  body: Record<string, unknown>,
  headers: Record<string, string> = { authorization: 'Bearer k', 'content-type': 'application/json' },
): ObservedRequest {
  return { method: 'POST', path: '/v1/chat/completions', query: new URLSearchParams(), headers, body: Buffer.from(JSON.stringify(body)) };
}

const exact = {
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'hi' }],
  stream: true,
  temperature: 0.7,
  tools: [{ type: 'function', function: { name: 'f' } }],
};

describe('upstream request tiers', () => {
  it('defaults: method, path, the auth header and the body keys every gateway carries', () => {
    expect(requiredFacts(expected)).toEqual([
      'method',
      'path',
      'header.authorization',
      'body.model',
      'body.messages',
      'body.stream',
      'body.tools',
    ]);
  });

  it("a gateway's own extras are notes; a dropped temperature too; the reference is held to all of it", () => {
    const request = sent(
      { ...exact, temperature: undefined, user: 'gw-123', tools: [{ type: 'function', function: { name: 'f', strict: false } }] },
      {
        authorization: 'Bearer k',
        'content-type': 'application/json',
        'api-key': 'k',
      },
    );
    const tiers = tieredRequestProblems(expected, request);
    expect(tiers.required).toEqual([]);
    expect(tiers.reference).toEqual(
      expect.arrayContaining([
        'header api-key: must not be sent',
        'body.temperature: missing',
        'body.user: unexpected key',
        'body.tools[0].function.strict: unexpected key',
      ]),
    );
    expect(checkUpstreamRequest(expected, request).length).toBe(tiers.reference.length);
  });

  it('a missing required fact fails any target', () => {
    const tiers = tieredRequestProblems(
      expected,
      sent({ model: 'gpt-4o-mini', messages: exact.messages, stream: true }, { 'content-type': 'application/json' }),
    );
    expect(tiers.required).toEqual([
      'header authorization: required but missing',
      'body.model: expected "gpt-4o", got "gpt-4o-mini"',
      'body.tools: missing',
    ]);
  });

  it('upstreamRequest.required replaces the defaults', () => {
    const marked = upstreamRequestSchema.parse({ ...expected, required: ['path', 'body.temperature'] });
    const tiers = tieredRequestProblems(marked, sent({ ...exact, temperature: 1 }, { 'content-type': 'application/json' }));
    expect(tiers.required).toEqual(['body.temperature: expected 0.7, got 1']);
    expect(tiers.reference).toContain('header authorization: required but missing');
    expect(() => upstreamRequestSchema.parse({ ...expected, required: ['bodymodel'] })).toThrow(/a fact is method, path/);
  });

  it('documented equivalent forms meet a required fact: text as a string or text blocks, parameters or parametersJsonSchema', () => {
    const anthropic = upstreamRequestSchema.parse({
      path: '/v1/messages',
      body: { model: 'claude', system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }], stream: true },
      bodyMatch: 'exact',
    });
    const blocks = {
      model: 'claude',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stream: true,
    };
    const request: ObservedRequest = { ...sent(blocks), path: '/v1/messages' };
    const tiers = tieredRequestProblems(anthropic, request);
    expect(tiers.required).toEqual([]);
    expect(tiers.reference.join('\n')).toContain('body.system');
    // A block with more than text (cache_control) is not the same request: still required.
    const cached = { ...blocks, system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }] };
    expect(tieredRequestProblems(anthropic, { ...sent(cached), path: '/v1/messages' }).required.join('\n')).toContain('body.system');
    // A different text fails whichever form carries it.
    const other = { ...blocks, system: [{ type: 'text', text: 'Be verbose.' }] };
    expect(tieredRequestProblems(anthropic, { ...sent(other), path: '/v1/messages' }).required).toEqual([
      'body.system: expected "Be brief.", got "Be verbose."',
    ]);
    const gemini = upstreamRequestSchema.parse({
      path: '/v1beta/models/g:streamGenerateContent',
      body: { contents: [], tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object' } }] }] },
      bodyMatch: 'exact',
    });
    const parameters = { contents: [], tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'object' } }] }] };
    expect(tieredRequestProblems(gemini, { ...sent(parameters), path: '/v1beta/models/g:streamGenerateContent' }).required).toEqual([]);
  });
});
