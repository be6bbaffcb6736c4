// GET /metrics (Prometheus text, a registry per gateway, bounded labels) and GET /v1/routes
// (breaker and capacity state), read while the gateway serves, retries and refuses requests.
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCassette } from '../../src/cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';
import { providerNames } from '../../src/providers/index.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const cassette = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
const chat = { ...cassette.request.body, model: 'openai/gpt-5-nano' };
let replay: ReplayUpstream;
let gateway: RunningGateway;
let other: RunningGateway;

beforeAll(async () => {
  replay = await startReplayUpstream();
  const config = harnessGatewayConfig(replay, 'normalize');
  gateway = await startGateway({
    ...config,
    retry: { maxAttempts: 2, baseDelayMs: 1 },
    breaker: { failureThreshold: 2, cooldownMs: 60_000 },
  });
  other = await startGateway(config); // a second gateway in the same process: its own registry
});
afterAll(async () => {
  await gateway.close();
  await other.close();
  await replay.close();
});

async function get(g: RunningGateway, path: string) {
  const res = await request(`${g.url}${path}`);
  return { status: res.statusCode, type: res.headers['content-type'], text: await res.body.text() };
}

async function stream(g: RunningGateway, model = chat.model) {
  const res = await request(`${g.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ ...chat, model }) });
  return { status: res.statusCode, text: await res.body.text() };
}

/** Parses the Prometheus text into series name{labels} → value. */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('metrics and route status', () => {
  it('counts a served stream in Prometheus text format', async () => {
    replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0 });
    expect((await stream(gateway)).status).toBe(200);
    const m = await get(gateway, '/metrics');
    expect(m.status).toBe(200);
    expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = series(m.text);
    expect(s.get('streamproof_gateway_requests_total{route="openai/*",outcome="success"}')).toBe(1);
    expect(s.get('streamproof_gateway_ttfb_seconds_count{route="openai/*"}')).toBe(1);
    expect(s.get('streamproof_gateway_stream_events_count{route="openai/*"}')).toBe(1);
    expect(s.get('streamproof_gateway_stream_events_sum{route="openai/*"}')).toBe(7);
    expect(s.get('streamproof_gateway_upstream_attempts_total{route="openai/*",result="ok"}')).toBe(1);
    expect(s.get('streamproof_gateway_in_flight_streams{route="openai/*"}')).toBe(0);
    expect(s.get('streamproof_gateway_buffered_bytes')).toBe(0);
    expect(s.get('streamproof_gateway_breaker_state{route="xai/*"}')).toBe(0);
    // The other gateway saw nothing: registries are per instance.
    expect(
      series((await get(other, '/metrics')).text).get('streamproof_gateway_requests_total{route="openai/*",outcome="success"}'),
    ).toBeUndefined();
  });

  it('counts retries, recovery and the breaker opening, and shows them on /v1/routes', async () => {
    replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0, fault: { fault: 'status', status: 502 } });
    replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0 });
    expect((await stream(gateway)).status).toBe(200);
    // Two failed attempts in a row open this breaker; the next request is refused.
    replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0, fault: { fault: 'status', status: 500 } });
    replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0, fault: { fault: 'status', status: 500 } });
    expect((await stream(gateway)).status).toBe(500);
    const refused = await stream(gateway);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text).error.code).toBe('circuit_open');

    const s = series((await get(gateway, '/metrics')).text);
    expect(s.get('streamproof_gateway_retries_total{route="openai/*"}')).toBe(2);
    expect(s.get('streamproof_gateway_upstream_attempts_total{route="openai/*",result="status_5xx"}')).toBe(3);
    expect(s.get('streamproof_gateway_recovery_seconds_count{route="openai/*"}')).toBe(1);
    expect(s.get('streamproof_gateway_breaker_state{route="openai/*"}')).toBe(1);
    expect(s.get('streamproof_gateway_breaker_transitions_total{route="openai/*",to="open"}')).toBe(1);
    expect(s.get('streamproof_gateway_rejected_total{route="openai/*",reason="breaker_open"}')).toBe(1);
    expect(s.get('streamproof_gateway_requests_total{route="openai/*",outcome="rejected"}')).toBe(1);

    const routes = JSON.parse((await get(gateway, '/v1/routes')).text);
    const openai = routes.data.find((r: { name: string }) => r.name === 'openai/*');
    expect(openai).toMatchObject({
      provider: 'openai',
      breaker: { state: 'open', failureThreshold: 2 },
      capacity: { inFlight: 0, maxConcurrent: null },
      retry: { maxAttempts: 2 },
    });
    expect(openai.breaker.retryInMs).toBeGreaterThan(0);
  });

  it('keeps label values to a closed set', async () => {
    const text = (await get(gateway, '/metrics')).text;
    const routes = new Set(providerNames().map((p) => `${p}/*`));
    const allowed: Record<string, Set<string>> = {
      outcome: new Set(['success', 'client_error', 'upstream_error', 'timeout', 'client_abort', 'rejected']),
      result: new Set(['ok', 'status_429', 'status_4xx', 'status_5xx', 'connect_error', 'timeout', 'stream_error', 'aborted']),
      reason: new Set(['breaker_open', 'concurrency', 'rate']),
      to: new Set(['closed', 'open', 'half-open']),
    };
    for (const [, name, value] of text.matchAll(/(\w+)="([^"]*)"/g)) {
      if (name === 'route' || name === 'from') expect(routes.has(value!) || value === '-', `${name}=${value}`).toBe(true);
      else if (allowed[name!]) expect(allowed[name!]!.has(value!), `${name}=${value}`).toBe(true);
    }
  });
});
