// Fixture realism for Straico, which has no official SDK: every cassette body, served over real
// loopback by the replay upstream, must parse with a strict schema of the documented response
// shapes (docs/provider-formats.md section 11): the chat endpoint's chat.completion with price and
// words, the prompt endpoint's 201 {data: {completions: {<model>: …}}, success: true}, and the
// {success: false, error} failure. Unknown keys fail the parse, so a cassette cannot drift from
// the documented shape unnoticed.
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadCassette, type Cassette } from '../../../src/cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../../src/replay/upstream.ts';
import { REPO_ROOT, shippedCassettes } from '../../helpers/cassettes.ts';
import { requestProblems } from '../../../src/checks/upstream-request.ts';

const metric = z.object({ input: z.number().nonnegative(), output: z.number().nonnegative(), total: z.number().nonnegative() }).strict();
const usage = z
  .object({
    prompt_tokens: z.number().int().nonnegative(),
    completion_tokens: z.number().int().nonnegative(),
    total_tokens: z.number().int().nonnegative(),
  })
  .strict()
  .refine((u) => u.total_tokens === u.prompt_tokens + u.completion_tokens, 'total_tokens must be prompt_tokens + completion_tokens');
const completionFields = {
  id: z.string().min(1),
  object: z.literal('chat.completion'),
  created: z.number().int().positive(),
  model: z.string().min(1),
  choices: z
    .array(
      z
        .object({
          index: z.number().int().nonnegative(),
          message: z
            .object({ role: z.literal('assistant'), content: z.string().nullable(), refusal: z.string().nullable().optional() })
            .strict(),
          logprobs: z.null().optional(),
          finish_reason: z.string(),
        })
        .strict(),
    )
    .min(1),
  usage,
  system_fingerprint: z.string().nullable().optional(),
};
const chatCompletion = z.object(completionFields).strict();
/** POST /v0/chat/completions: a chat.completion with Straico's price and words. */
const chatEndpointBody = z.object({ ...completionFields, price: metric, words: metric }).strict();
/** POST /v1/prompt/completion: HTTP 201, one completion per requested model. */
const promptEndpointBody = z
  .object({
    data: z
      .object({
        completions: z.record(z.string(), z.object({ completion: chatCompletion, price: metric, words: metric }).strict()),
        overall_price: metric,
        overall_words: metric,
      })
      .strict(),
    success: z.literal(true),
  })
  .strict();
const failureBody = z.object({ success: z.literal(false), error: z.string().min(1) }).strict();

const cassettes = [
  ...shippedCassettes().filter((c) => c.provider === 'straico'),
  loadCassette(join(REPO_ROOT, 'fixtures/straico/prompt-endpoint/completion-201.yaml')),
];

let replay: ReplayUpstream;
beforeAll(async () => {
  replay = await startReplayUpstream();
});
afterAll(async () => {
  await replay.close();
});

async function fetchBody(cassette: Cassette) {
  const exchange = replay.arm('straico', { cassette, chunks: cassette.response.chunks, speed: 0 });
  const res = await request(`${replay.baseUrl('straico')}${cassette.upstreamRequest.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-realism' },
    body: JSON.stringify(cassette.upstreamRequest.body),
  });
  const text = await res.body.text();
  expect(requestProblems(await exchange)).toEqual([]);
  return { status: res.statusCode, contentType: res.headers['content-type'], body: JSON.parse(text) as unknown };
}

describe('every straico cassette has the documented response shape', () => {
  it('covers both endpoints and the failure shape', () => {
    const paths = new Set(cassettes.map((c) => c.upstreamRequest.path));
    expect(paths).toEqual(new Set(['/v0/chat/completions', '/v1/prompt/completion']));
    expect(cassettes.length).toBeGreaterThanOrEqual(5);
  });

  it.each(cassettes.map((c) => [c.name, c] as const))('%s', async (_name, cassette) => {
    const { status, contentType, body } = await fetchBody(cassette);
    expect(contentType).toMatch(/^application\/json/);
    const usageWanted = cassette.expect.usage;
    if ((body as { success?: unknown }).success === false) {
      expect(status).toBe(200);
      const failure = failureBody.parse(body);
      expect(failure.error).toBe(cassette.expect.error?.message);
      return;
    }
    let completion: z.infer<typeof chatCompletion>;
    if (cassette.upstreamRequest.path === '/v1/prompt/completion') {
      expect(status).toBe(201);
      const parsed = promptEndpointBody.parse(body);
      const model = (cassette.upstreamRequest.body as { models: string[] }).models[0]!;
      completion = parsed.data.completions[model]!.completion;
      expect(completion).toBeDefined();
    } else {
      expect(status).toBe(200);
      completion = chatEndpointBody.parse(body);
    }
    if (usageWanted) expect(completion.usage).toEqual(usageWanted);
    // Without tool calls the answer is the client's text as it is.
    if (cassette.expect.toolCalls.length === 0 && !cassette.expect.error)
      expect(completion.choices[0]!.message.content).toBe(cassette.expect.text);
  });
});
