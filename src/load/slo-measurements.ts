// SLO classification of a load phase's streams, as they end, and the figures it adds to a case.
import { classifyRequest, createSloTally, sloFigures, tallyRequest, type Slo, type SloTally } from '../checks/slo.ts';
import type { StreamRecord } from '../checks/stream-check.ts';
import type { MeasurementList } from './measurements.ts';

export interface SloRecorder {
  tally: SloTally;
  /** PhaseOptions.onStream: classifies one measured stream. */
  onStream(record: StreamRecord): void;
}

export function sloRecorder(slo: Slo): SloRecorder {
  const tally = createSloTally();
  return {
    tally,
    onStream(record) {
      const t = record.timings;
      tallyRequest(tally, classifyRequest(slo, { failed: record.failure !== null, ttftNs: t.ttftNs, itlNs: t.itlNs, e2eNs: t.e2eNs }));
    },
  };
}

/** goodput_rps, slo_attainment and slo_missed_* over a measured window of `seconds`. */
export function addSloMeasurements(list: MeasurementList, tally: SloTally, seconds: number): void {
  for (const [name, value] of Object.entries(sloFigures(tally, seconds))) list.add(name, value);
}
