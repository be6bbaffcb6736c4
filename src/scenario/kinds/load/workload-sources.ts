// The sources a load scenario sends: the gateway sources as they are, or, with a workload that
// shapes requests, one request per conversation turn built from the generated stream's source.
import { InputError } from '../../../base/errors.ts';
import type { StreamSource } from '../../../load/phase.ts';
import { shapedSources, shapesRequests } from '../../../load/workload/sources.ts';
import type { LoadInput } from '../../../load/stream-sources.ts';
import type { Workload } from '../../../load/workload/schema.ts';
import type { LoadScenario } from './schema.ts';

export function workloadSources(scenario: LoadScenario, sources: StreamSource[], file: string): StreamSource[] {
  if (!scenario.workload || !shapesRequests(scenario.workload)) return sources;
  const template = sources.find((s) => s.label.startsWith('synthetic/'));
  if (!scenario.synthetic || !template || sources.length !== 1)
    throw new InputError(
      file,
      null,
      'workload: prompt and output lengths, turns and datasets shape the generated stream: give `synthetic:` and no `fixtures:`',
    );
  return shapedSources(scenario.workload, template, file, scenario.duration.requests, scenario.synthetic.tokens);
}

/** The generated stream's replay plan shaped by the workload: lengths from max_tokens, the timing model. */
export function shapeInputs(inputs: LoadInput[], workload: Workload | undefined): LoadInput[] {
  if (!workload || (!shapesRequests(workload) && !workload.timing)) return inputs;
  return inputs.map((i) =>
    'synthetic' in i.plan
      ? { ...i, plan: { ...i.plan, shape: { tokensFromRequest: shapesRequests(workload), timing: workload.timing } } }
      : i,
  );
}

/** Runs `f`; if it throws, the servers are closed first (they were started for nothing). */
export async function orClose<T>(servers: { close(): Promise<void> }, f: () => T): Promise<T> {
  try {
    return f();
  } catch (err) {
    await servers.close();
    throw err;
  }
}
