// Serving one client request across its route and the route's fallbacks: per route, the circuit
// breaker and the capacity limit decide whether to try at all, then attempts are retried with
// backoff while nothing has reached the client. The first attempt that commits serves the request;
// if none does, the client gets the last failure as an HTTP error.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerResponse } from 'node:http';
import type { ChatRequest } from '../providers/types.ts';
import { retryDelayMs } from './backoff.ts';
import type { Breaker } from './breaker.ts';
import type { GatewayConfig } from './config.ts';
import { clientErrorFor, sendClientError, type AttemptFailure, type RouteRefusal } from './errors.ts';
import type { AttemptResult, GatewayMetrics, RequestOutcome } from './metrics.ts';
import type { StreamPipeline } from './pipeline.ts';
import type { RetryPolicy } from './policy.ts';
import type { RequestGuard } from './request-guard.ts';
import type { RouteRuntime } from './route-runtime.ts';
import { serveAttempt } from './serve-attempt.ts';

export interface DispatchInput {
  primary: RouteRuntime;
  /** The upstream model the primary route resolved (fallbacks use their own upstreamModel if set). */
  upstreamModel: string;
  body: ChatRequest;
  raw: Buffer;
  res: ServerResponse;
  guard: RequestGuard;
  /** When the client request arrived (performance.now()), for the first-byte metric. */
  startedAt: number;
}

export interface DispatchDeps {
  routes: ReadonlyMap<string, RouteRuntime>;
  config: GatewayConfig;
  metrics: GatewayMetrics;
  pipelines: Set<StreamPipeline>;
}

export async function dispatch(input: DispatchInput, deps: DispatchDeps): Promise<RequestOutcome> {
  const { primary, guard, res } = input;
  const { metrics } = deps;
  const chain = [primary, ...primary.policy.fallback.map((name) => deps.routes.get(name)!)];
  let last: AttemptFailure | RouteRefusal | null = null;
  let firstFailureAt: number | null = null;

  for (let i = 0; i < chain.length; i++) {
    const route = chain[i]!;
    const name = route.policy.name;
    if (i > 0) {
      if (last && !worthFallingBack(last)) break;
      metrics.fallback(chain[i - 1]!.policy.name, name);
    }
    const admitted = route.capacity.acquire();
    if (typeof admitted !== 'function') {
      metrics.rejected(name, admitted.reason);
      last = { kind: 'capacity', route: name, reason: admitted.reason, retryAfterMs: admitted.retryAfterMs };
      continue;
    }
    try {
      const model = i === 0 ? input.upstreamModel : (route.config.upstreamModel ?? input.upstreamModel);
      const retry = route.policy.retry;
      for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
        if (!route.breaker.allow()) {
          metrics.rejected(name, 'breaker_open');
          last = { kind: 'breaker_open', route: name, retryInMs: route.breaker.snapshot().retryInMs ?? 0 };
          break;
        }
        if (attempt > 1) metrics.retry(name);
        const result = await serveAttempt({
          route,
          body: { ...input.body, model },
          raw: input.raw,
          res,
          guard,
          config: deps.config,
          pipelines: deps.pipelines,
          onUpstreamFirstByte() {
            route.breaker.success();
            if (firstFailureAt !== null) metrics.recovery(name, (performance.now() - firstFailureAt) / 1000);
          },
          onCommit: () => metrics.firstByte(primary.policy.name, (performance.now() - input.startedAt) / 1000),
          onHeartbeat: () => metrics.heartbeat(primary.policy.name),
        }).catch((err: unknown) => {
          route.breaker.neutral(); // a gateway bug is no verdict on the route (and frees a half-open probe)
          throw err;
        });
        if (result.served) {
          if (result.upstreamFault) route.breaker.failure();
          metrics.attempt(name, result.upstreamFault ? 'stream_error' : result.outcome === 'client_abort' ? 'aborted' : 'ok');
          if (input.body.stream === true) metrics.streamEvents(primary.policy.name, result.events);
          return result.outcome;
        }
        const failure = result.failure;
        metrics.attempt(name, attemptResult(failure));
        judge(route.breaker, failure);
        if (failure.kind === 'client_gone') return 'client_abort';
        last = failure;
        firstFailureAt ??= performance.now();
        if (failure.kind === 'timeout' && failure.phase === 'total') return answer(res, failure);
        if (attempt === retry.maxAttempts || !worthRetrying(failure, retry)) break;
        const delay = retryDelayMs(attempt, retry, failure.kind === 'status' ? failure.retryAfterMs : undefined);
        if (delay === null) break; // the upstream asked for a longer wait than we accept: fail over
        try {
          await sleep(delay, undefined, { signal: guard.signal });
        } catch {
          if (guard.clientGone) return 'client_abort';
          return answer(res, guard.expired?.gateway === 'timeout' ? { kind: 'timeout', phase: 'total', ms: guard.expired.ms } : failure);
        }
      }
    } finally {
      admitted();
    }
  }
  if (guard.clientGone) return 'client_abort';
  return answer(res, last ?? { kind: 'network', detail: 'no route could be tried' });
}

function answer(res: ServerResponse, failure: AttemptFailure | RouteRefusal): RequestOutcome {
  const e = clientErrorFor(failure);
  sendClientError(res, e);
  if (failure.kind === 'capacity' || failure.kind === 'breaker_open') return 'rejected';
  if (failure.kind === 'timeout') return 'timeout';
  if (e.status >= 400 && e.status < 500 && e.status !== 429) return 'client_error';
  return 'upstream_error';
}

function worthRetrying(failure: AttemptFailure, policy: RetryPolicy): boolean {
  switch (failure.kind) {
    case 'status':
      return policy.onStatus.includes(failure.status);
    case 'network':
      return policy.onConnectError;
    case 'timeout':
      return policy.onTimeout && failure.phase !== 'total';
    case 'client_gone':
      return false;
  }
}

/** Fallback is for a route that is down or busy, never for a request the upstream rejected as bad. */
function worthFallingBack(failure: AttemptFailure | RouteRefusal): boolean {
  switch (failure.kind) {
    case 'status':
      return failure.status === 429 || failure.status >= 500;
    case 'timeout':
      return failure.phase !== 'total';
    case 'client_gone':
      return false;
    default:
      return true;
  }
}

/** What a failed attempt says about the route's health. */
function judge(breaker: Breaker, failure: AttemptFailure): void {
  const unhealthy =
    failure.kind === 'network' ||
    (failure.kind === 'timeout' && failure.phase !== 'total') ||
    (failure.kind === 'status' && failure.status >= 500);
  if (unhealthy) breaker.failure();
  else breaker.neutral();
}

function attemptResult(failure: AttemptFailure): AttemptResult {
  switch (failure.kind) {
    case 'status':
      return failure.status === 429 ? 'status_429' : failure.status >= 500 ? 'status_5xx' : 'status_4xx';
    case 'network':
      return 'connect_error';
    case 'timeout':
      return 'timeout';
    case 'client_gone':
      return 'aborted';
  }
}
