// The gateway's Prometheus metrics, on a Registry of its own (tests start many gateways in one
// process; the global registry would mix them). Every label value comes from a closed set or
// from the config's route names, so cardinality is bounded.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerState } from './breaker.ts';

export type RequestOutcome = 'success' | 'client_error' | 'upstream_error' | 'timeout' | 'client_abort' | 'rejected';
export type AttemptResult = 'ok' | 'status_429' | 'status_4xx' | 'status_5xx' | 'connect_error' | 'timeout' | 'stream_error' | 'aborted';
export type RejectReason = 'breaker_open' | 'concurrency' | 'rate';

export interface GatewayMetrics {
  registry: Registry;
  request(route: string, outcome: RequestOutcome, seconds: number): void;
  firstByte(route: string, seconds: number): void;
  streamEvents(route: string, events: number): void;
  attempt(route: string, result: AttemptResult): void;
  retry(route: string): void;
  fallback(from: string, to: string): void;
  recovery(route: string, seconds: number): void;
  rejected(route: string, reason: RejectReason): void;
  breaker(route: string, state: BreakerState): void;
  inFlight(route: string, delta: 1 | -1): void;
  heartbeat(route: string): void;
}

const P = 'streamproof_gateway_';
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, open: 1, 'half-open': 2 };
/** Latency buckets from 1 ms to 5 min: LLM streams span both ends. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function createGatewayMetrics(options: {
  routes: readonly string[];
  bufferedBytes: () => number;
  processMetrics: boolean;
}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: `${P}requests_total`,
    help: 'Client requests by route and outcome.',
    labelNames: ['route', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: `${P}request_duration_seconds`,
    help: 'Client request duration, to the last byte.',
    labelNames: ['route'],
    buckets: SECONDS,
    registers,
  });
  const ttfb = new Histogram({
    name: `${P}ttfb_seconds`,
    help: 'Client request received to the first response byte written.',
    labelNames: ['route'],
    buckets: SECONDS,
    registers,
  });
  const events = new Histogram({
    name: `${P}stream_events`,
    help: 'SSE events written per client stream.',
    labelNames: ['route'],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
    registers,
  });
  const attempts = new Counter({
    name: `${P}upstream_attempts_total`,
    help: 'Upstream attempts by route and result.',
    labelNames: ['route', 'result'],
    registers,
  });
  const retries = new Counter({
    name: `${P}retries_total`,
    help: 'Upstream attempts that were retries of a failed attempt on the same route.',
    labelNames: ['route'],
    registers,
  });
  const fallbacks = new Counter({
    name: `${P}fallbacks_total`,
    help: 'Requests moved to a fallback route.',
    labelNames: ['from', 'to'],
    registers,
  });
  const recovery = new Histogram({
    name: `${P}recovery_seconds`,
    help: 'From a failed attempt to the first byte of the attempt that served the request.',
    labelNames: ['route'],
    buckets: SECONDS,
    registers,
  });
  const rejected = new Counter({
    name: `${P}rejected_total`,
    help: 'Requests a route refused without an attempt.',
    labelNames: ['route', 'reason'],
    registers,
  });
  const breakerState = new Gauge({
    name: `${P}breaker_state`,
    help: 'Circuit breaker per route: 0 closed, 1 open, 2 half-open.',
    labelNames: ['route'],
    registers,
  });
  const breakerTransitions = new Counter({
    name: `${P}breaker_transitions_total`,
    help: 'Circuit breaker state changes.',
    labelNames: ['route', 'to'],
    registers,
  });
  const inFlight = new Gauge({
    name: `${P}in_flight_streams`,
    help: 'Client requests being served right now.',
    labelNames: ['route'],
    registers,
  });
  const heartbeats = new Counter({
    name: `${P}heartbeats_total`,
    help: 'SSE keep-alive comments written.',
    labelNames: ['route'],
    registers,
  });
  new Gauge({
    name: `${P}buffered_bytes`,
    help: 'Bytes held inside all open stream pipelines.',
    registers,
    collect() {
      this.set(options.bufferedBytes());
    },
  });
  // Routes appear at zero from the start, so dashboards see them before the first request.
  for (const route of options.routes) {
    breakerState.set({ route }, 0);
    inFlight.set({ route }, 0);
  }

  return {
    registry,
    request(route, outcome, seconds) {
      requests.inc({ route, outcome });
      duration.observe({ route }, seconds);
    },
    firstByte: (route, seconds) => ttfb.observe({ route }, seconds),
    streamEvents: (route, n) => events.observe({ route }, n),
    attempt: (route, result) => attempts.inc({ route, result }),
    retry: (route) => retries.inc({ route }),
    fallback: (from, to) => fallbacks.inc({ from, to }),
    recovery: (route, seconds) => recovery.observe({ route }, seconds),
    rejected: (route, reason) => rejected.inc({ route, reason }),
    breaker(route, state) {
      breakerState.set({ route }, BREAKER_VALUE[state]);
      breakerTransitions.inc({ route, to: state });
    },
    inFlight: (route, delta) => inFlight.inc({ route }, delta),
    heartbeat: (route) => heartbeats.inc({ route }),
  };
}

/** The value of one counter/gauge series in a registry (tests and scenario checks read these). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const data = await metric.get();
  let sum = 0;
  for (const v of data.values) {
    const l = v.labels as Record<string, string | number>;
    if (Object.entries(labels).every(([k, want]) => String(l[k]) === want)) sum += v.value;
  }
  return sum;
}
