// Every scenario kind, registered once. Adding a kind: one folder beside these, one line here.
import { faultKind } from './fault/index.ts';
import { fuzzKind } from './fuzz/index.ts';
import { httpLoadKind } from './http-load/index.ts';
import { loadKind } from './load/index.ts';
import { microKind } from './micro/index.ts';
import { parityKind } from './parity/index.ts';
import { resilienceKind } from './resilience/index.ts';
import { soakKind } from './soak/index.ts';

export const scenarioKinds = [parityKind, fuzzKind, loadKind, soakKind, microKind, httpLoadKind, faultKind, resilienceKind] as const;
