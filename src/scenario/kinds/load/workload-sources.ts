// The sources a load scenario sends: the gateway sources as they are, or, with a workload that
// shapes requests, one request per conversation turn built from the generated stream's source.
import { InputError } from '../../../base/errors.ts';
import type { StreamSource } from '../../../load/phase.ts';
import { dirname, resolve } from 'node:path';
import { loadDataset } from '../../../load/workload/dataset.ts';
import { shapedSources, shapesRequests } from '../../../load/workload/sources.ts';
import type { LoadInput } from '../../../load/stream-sources.ts';
import type { Workload } from '../../../load/workload/schema.ts';
import type { LoadScenario } from './schema.ts';

/**
 * Checks a workload before any server starts (a bad dataset is exit 2 at once) and returns how to
 * build the run's sources from the gateway sources.
 */
export function planWorkload(scenario: LoadScenario, file: string): (sources: StreamSource[]) => StreamSource[] {
  const w = scenario.workload;
  if (!w || !shapesRequests(w)) return (sources) => sources;
  if (!scenario.synthetic || scenario.fixtures.length > 0)
    throw new InputError(
      file,
      null,
      'workload: prompt and output lengths, turns and datasets shape the generated stream: give `synthetic:` and no `fixtures:`',
    );
  const dataset = w.dataset !== undefined ? loadDataset(resolve(dirname(file), w.dataset)) : null;
  const tokens = scenario.synthetic.tokens;
  return (sources) => {
    const template = sources.find((s) => s.label.startsWith('synthetic/'))!;
    return shapedSources(w, template, dataset, scenario.duration.requests, tokens);
  };
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
