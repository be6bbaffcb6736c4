// What the replay upstream serves and records: a plan per request, and the exchange it became.
import type { Cassette, ReplayChunk } from '../cassette/cassette.ts';
import type { UpstreamFault, UpstreamRequestExpectation } from '../cassette/schema.ts';

/** The request as the replay upstream received it (checks/upstream-request.ts judges it). */
export interface ObservedRequest {
  method: string;
  /** Path relative to the provider slot, without the query. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ReplayPlan {
  cassette: Cassette;
  /** The reads to serve (the cassette's own, or a re-chunking). */
  chunks: readonly ReplayChunk[];
  /** 0 = no delay; 1 = the recorded gaps; 2 = twice as fast. */
  speed: number;
  /** A fault for this exchange (default: the cassette's own `response.fault`, if any). */
  fault?: UpstreamFault;
  /** Keep the time of every body write in the exchange's `writeAts` (tests compare a recording with it). */
  stampWrites?: boolean;
}

export interface ReplayExchange {
  slot: string;
  cassette: string;
  request: ObservedRequest;
  /** What the cassette says that request must look like. */
  expected: UpstreamRequestExpectation;
  bytesSent: number;
  /** False when the gateway closed the connection before the body was fully served. */
  completed: boolean;
  /** The fault that was injected ('none' for a plain replay). */
  fault?: UpstreamFault['fault'];
  /** performance.now() when the request arrived and when the exchange was over. */
  startedAt?: number;
  endedAt?: number;
  /** performance.now() just after the last body write (a target that buffers delivers after it). */
  lastWriteAt?: number;
  /** performance.now() when the response headers were flushed (the origin of the reads' offsets). */
  headersAt?: number;
  /** performance.now() of each body write, when the plan asked for them (`stampWrites`). */
  writeAts?: number[];
}
