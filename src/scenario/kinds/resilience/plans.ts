// Which fault each client asked for, and when its first upstream attempt ended. Clients carry
// their id in the request's `user` field; the replay upstream reads it back from each request the
// gateway sends, counts that client's attempts and plays the fault planned for that attempt.
import type { UpstreamFault } from '../../../cassette/schema.ts';
import type { ObservedRequest, ReplayExchange } from '../../../replay/upstream.ts';
import type { FaultKind } from './faults.ts';

export class ClientPlans {
  private readonly kinds = new Map<string, FaultKind>();
  private readonly attempts = new Map<string, number>();
  private readonly failedAt = new Map<string, number>();
  private seq = 0;

  /** A new client with its fault; returns the id its request must carry. */
  add(kind: FaultKind): string {
    const id = `c${++this.seq}`;
    this.kinds.set(id, kind);
    return id;
  }

  /** The upstream's behaviour for this request: the client's next planned attempt, or a clean replay. */
  faultFor(request: ObservedRequest): UpstreamFault {
    const id = clientId(request);
    const kind = id === null ? undefined : this.kinds.get(id);
    if (id === null || kind === undefined) return { fault: 'none' };
    const n = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, n);
    return kind.attempts[n - 1] ?? { fault: 'none' };
  }

  /** Replay upstream hook: remembers when each client's first upstream exchange was over. */
  onExchange(exchange: ReplayExchange): void {
    const id = clientId(exchange.request);
    if (id !== null && this.kinds.has(id) && exchange.endedAt !== undefined && !this.failedAt.has(id))
      this.failedAt.set(id, exchange.endedAt);
  }

  /** performance.now() when the client's first upstream exchange ended (undefined if none did). */
  firstAttemptEnd(id: string): number | undefined {
    return this.failedAt.get(id);
  }

  /** Upstream requests the client's id has arrived with so far. */
  attemptsOf(id: string): number {
    return this.attempts.get(id) ?? 0;
  }

  /** Drops what is kept about a client once it is judged (a late exchange of it plays clean). */
  forget(id: string): void {
    this.kinds.delete(id);
    this.attempts.delete(id);
    this.failedAt.delete(id);
  }

  /** Clients not yet forgotten. */
  get size(): number {
    return this.kinds.size;
  }
}

function clientId(request: ObservedRequest): string | null {
  try {
    const user = (JSON.parse(request.body.toString('utf8')) as { user?: unknown }).user;
    return typeof user === 'string' ? user : null;
  } catch {
    return null;
  }
}
