// Per-route capacity: a concurrency limit and a request rate limit refuse extra requests at once
// with a 429 (or send them to the route's fallback), observable on /v1/routes and /metrics.
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCassette } from '../../src/cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { metricValue } from '../../src/gateway/metrics.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { faultGatewayConfig } from '../../src/scenario/kinds/fault/run.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const openai = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
const backendai = loadCassette(join(REPO_ROOT, 'fixtures/backendai/text-usage.yaml'));
let replay: ReplayUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  replay = await startReplayUpstream({ maxHangMs: 5_000 });
  gateway = await startGateway(
    faultGatewayConfig(
      replay,
      'normalize',
      {
        timeouts: { idleMs: 5_000 },
        routes: [
          {
            name: 'one-at-a-time',
            match: 'narrow',
            provider: 'openai',
            mode: 'normalize',
            upstreamModel: 'gpt-5-nano',
            headers: {},
            options: {},
            capacity: { maxConcurrent: 1 },
            refused: false,
          },
          {
            name: 'slow-rate',
            match: 'rated',
            provider: 'openai',
            mode: 'normalize',
            upstreamModel: 'gpt-5-nano',
            headers: {},
            options: {},
            capacity: { requestsPerSecond: 0.01, burst: 1 },
            fallback: ['spare'],
            refused: false,
          },
          {
            name: 'spare',
            match: 'spare',
            provider: 'backendai',
            mode: 'normalize',
            upstreamModel: 'Qwen/Qwen2.5-7B-Instruct',
            headers: {},
            options: {},
            refused: false,
          },
        ],
      },
      1,
    ),
  );
});
afterAll(async () => {
  await gateway.close();
  await replay.close();
});

function send(model: string, body: Record<string, unknown> = openai.request.body, signal?: AbortSignal) {
  return request(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ ...body, model }), signal });
}

async function routeState(name: string) {
  const routes = (await (await request(`${gateway.url}/v1/routes`)).body.json()) as {
    data: { name: string; capacity: Record<string, unknown> }[];
  };
  return routes.data.find((r) => r.name === name)!;
}

describe('route capacity', () => {
  it('refuses a second concurrent stream with 429 while the first is in flight', async () => {
    replay.arm('openai', {
      cassette: openai,
      chunks: openai.response.chunks,
      speed: 0,
      fault: { fault: 'hang-mid-stream', afterChunk: 2 },
    });
    const stop = new AbortController();
    const first = await send('narrow', openai.request.body, stop.signal);
    expect(first.statusCode).toBe(200);
    expect((await routeState('one-at-a-time')).capacity).toMatchObject({ inFlight: 1, maxConcurrent: 1 });

    const second = await send('narrow');
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    expect(((await second.body.json()) as { error: unknown }).error).toMatchObject({
      type: 'rate_limit_error',
      code: 'route_concurrency_limit',
    });
    expect(
      await metricValue(gateway.metrics, 'streamproof_gateway_rejected_total', { route: 'one-at-a-time', reason: 'concurrency' }),
    ).toBe(1);

    stop.abort();
    await first.body.text().catch(() => undefined);
    for (let i = 0; i < 100 && (await routeState('one-at-a-time')).capacity['inFlight'] !== 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    replay.arm('openai', { cassette: openai, chunks: openai.response.chunks, speed: 0 });
    const third = await send('narrow');
    expect(third.statusCode).toBe(200);
    expect(await third.body.text()).toContain('[DONE]');
  });

  it('sends requests over the rate limit to the fallback route', async () => {
    replay.arm('openai', { cassette: openai, chunks: openai.response.chunks, speed: 0 });
    const first = await send('rated');
    expect(first.statusCode).toBe(200);
    await first.body.text();
    // The bucket (1 token, one more every 100 s, so a busy machine cannot refill it between the two requests) is empty now: the next request goes to the spare route.
    replay.arm('backendai', { cassette: backendai, chunks: backendai.response.chunks, speed: 0 });
    const second = await send('rated', backendai.request.body);
    expect(second.statusCode).toBe(200);
    expect(await second.body.text()).toContain('[DONE]');
    expect(await metricValue(gateway.metrics, 'streamproof_gateway_rejected_total', { route: 'slow-rate', reason: 'rate' })).toBe(1);
    expect(await metricValue(gateway.metrics, 'streamproof_gateway_fallbacks_total', { from: 'slow-rate', to: 'spare' })).toBe(1);
    expect((await routeState('slow-rate')).capacity).toMatchObject({ requestsPerSecond: 0.01 });
  });
});
