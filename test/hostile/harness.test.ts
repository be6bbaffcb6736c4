// The harness against hostile targets: `streamproof run --target <peer>` as a child process, all
// peers at once. Each run must stay under the memory cap, fail its one case naming what the target
// did, write its reports, and never show the credential it sent (a target profile header).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { HARNESS_MESSAGES } from './expected.ts';
import { PEER_NAMES } from './peers.ts';
import { harnessAgainst, mb, RSS_CAP_BYTES, TARGET_SECRET, type HarnessOutcome } from './run-peer.ts';

const outcomes = new Map<string, HarnessOutcome>();

// About 15 s on an idle 2-core machine (the silent and slowloris peers wait out the 10 s headers
// limit); the bound here is generous for a loaded one.
beforeAll(async () => {
  for (const o of await Promise.all(PEER_NAMES.map(harnessAgainst))) outcomes.set(o.peer, o);
}, 400_000);
afterAll(() => {
  for (const o of outcomes.values()) rmSync(dirname(o.reportDir), { recursive: true, force: true });
});

describe('streamproof run --target at a hostile peer', () => {
  for (const peer of PEER_NAMES) {
    it(peer, () => {
      const o = outcomes.get(peer)!;
      expect(o.code, `${o.stdout}\n${o.stderr}`).toBe(1);
      expect(o.peakRss, `peak RSS ${mb(o.peakRss)}`).toBeGreaterThan(0);
      expect(o.peakRss, `peak RSS ${mb(o.peakRss)}`).toBeLessThan(RSS_CAP_BYTES);
      // A written report, whose one case failed with the named reason.
      expect(o.summary?.totals).toMatchObject({ cases: 1, failed: 1 });
      expect(o.message).toMatch(HARNESS_MESSAGES[peer]);
      expect(o.stdout).toMatch(HARNESS_MESSAGES[peer]);
      expect([...o.reports.keys()].sort()).toEqual(expect.arrayContaining(['junit.xml', 'summary.json', 'summary.md']));
      expect(o.stderr).not.toMatch(/\n\s+at /); // no stack trace
      if (peer === 'silent' || peer === 'slowloris') {
        // The limit the message names is the one that ended the case (not the 30 s case limit,
        // nor minutes of a dribble): a bound on hanging, not a benchmark.
        const ms = o.summary!.scenarios[0]!.cases[0]!.durationMs;
        expect(ms).toBeGreaterThanOrEqual(10_000);
        expect(ms).toBeLessThan(29_000);
      }
      for (const [name, text] of [['stdout', o.stdout], ['stderr', o.stderr], ...o.reports] as const) {
        expect(text.includes(TARGET_SECRET), `secret in ${name}`).toBe(false);
      }
    });
  }
});
