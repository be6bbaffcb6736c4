// Non-streaming throughput with autocannon, used programmatically: a fixed request, N
// connections, bounded by time and count. Latency is recorded in our own ns HDR histogram from
// autocannon's per-response timing (its own histogram keeps integer ms).
import autocannon, { type AutocannonResult } from 'autocannon';
import { createHistogram, recordNs, type Histogram } from '../../../load/histogram.ts';

export interface HttpLoadOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  seconds: number;
  maxRequests: number;
  timeoutSeconds: number;
  /** The expected response body (null: not checked). */
  expectBody: string | null;
}

export interface HttpLoadResult {
  responses: number;
  seconds: number;
  latency: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  bytes: number;
}

export function runHttpLoad(o: HttpLoadOptions): Promise<HttpLoadResult> {
  const latency = createHistogram();
  let responses = 0;
  let bytes = 0;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const expected = o.expectBody;
    const instance = autocannon(
      {
        url: o.url,
        method: 'POST',
        headers: o.headers,
        body: o.body,
        connections: o.connections,
        duration: o.seconds,
        // autocannon stops at whichever bound comes first only with both set this way.
        maxOverallRequests: Math.max(o.maxRequests, o.connections),
        timeout: o.timeoutSeconds,
        ...(expected !== null ? { verifyBody: (b: string) => b === expected } : {}),
      },
      (err: Error | null, result: AutocannonResult) => {
        if (err) return reject(err);
        resolve({
          responses,
          seconds: (performance.now() - started) / 1000,
          latency,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          mismatches: result.mismatches,
          bytes,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, resBytes: number, responseTimeMs: number) => {
      responses++;
      bytes += resBytes;
      recordNs(latency, responseTimeMs * 1e6);
    });
  });
}
