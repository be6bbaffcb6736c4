// Which plan answers a request on a slot: armed one-shot plans first (in order), then a plan bound
// for good, then a chooser. Counts what each slot served and keeps requests nothing answered.
import type { ObservedRequest, ReplayExchange, ReplayPlan } from './types.ts';

interface Armed {
  plan: ReplayPlan;
  resolve(exchange: ReplayExchange): void;
}

/** The plan for one request, and who is waiting for its exchange (an armed plan's caller). */
export interface Taken {
  plan: ReplayPlan;
  resolve?: (exchange: ReplayExchange) => void;
}

export class SlotTable {
  private readonly queues = new Map<string, Armed[]>();
  private readonly bound = new Map<string, ReplayPlan>();
  private readonly choosers = new Map<string, (request: ObservedRequest) => ReplayPlan>();
  private readonly servedCount = new Map<string, number>();
  /** Requests that arrived on a slot with nothing armed, bound or chosen. */
  readonly unexpected: ObservedRequest[] = [];

  arm(slot: string, plan: ReplayPlan): Promise<ReplayExchange> {
    return new Promise((resolve) => {
      const queue = this.queues.get(slot) ?? [];
      queue.push({ plan, resolve });
      this.queues.set(slot, queue);
    });
  }

  disarm(slot: string): number {
    const n = this.queues.get(slot)?.length ?? 0;
    this.queues.delete(slot);
    return n;
  }

  bind(slot: string, plan: ReplayPlan): void {
    this.bound.set(slot, plan);
  }

  choose(slot: string, chooser: (request: ObservedRequest) => ReplayPlan): void {
    this.choosers.set(slot, chooser);
  }

  served(slot: string): number {
    return this.servedCount.get(slot) ?? 0;
  }

  /** The plan that answers this request, counted as served; null (and kept as unexpected) when none does. */
  take(slot: string, request: ObservedRequest): Taken | null {
    const armed = this.queues.get(slot)?.shift();
    const plan = armed?.plan ?? this.bound.get(slot) ?? this.choosers.get(slot)?.(request);
    if (!plan) {
      this.unexpected.push(request);
      return null;
    }
    this.servedCount.set(slot, this.served(slot) + 1);
    return armed ? { plan, resolve: armed.resolve } : { plan };
  }
}
