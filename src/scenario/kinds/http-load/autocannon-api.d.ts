// The slice of autocannon's programmatic API that http-load uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface AutocannonOptions {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    duration?: number;
    maxOverallRequests?: number;
    timeout?: number;
    pipelining?: number;
    verifyBody?: (body: string) => boolean;
  }

  interface AutocannonHistogramStats {
    average: number;
    p50: number;
    p99: number;
    max: number;
    total: number;
  }

  interface AutocannonResult {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    mismatches: number;
    requests: AutocannonHistogramStats;
    latency: AutocannonHistogramStats;
    throughput: AutocannonHistogramStats;
  }

  interface Instance extends EventEmitter {
    stop(): void;
  }

  function autocannon(options: AutocannonOptions, callback: (err: Error | null, result: AutocannonResult) => void): Instance;
  export default autocannon;
  export type { AutocannonOptions, AutocannonResult, Instance };
}
