// The reference gateway against hostile upstreams: `streamproof gateway` as a child process with
// the peer as its route's base URL, one streaming client request through it, all peers at once.
// The gateway must stay under the memory cap, answer with a named error (a status or an error
// event), never relay the API key it sent, and still stop cleanly.
import { beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ANSWERS } from './expected.ts';
import { PEER_NAMES } from './peers.ts';
import { gatewayAgainst, mb, RSS_CAP_BYTES, UPSTREAM_SECRET, type GatewayOutcome } from './run-peer.ts';

const outcomes = new Map<string, GatewayOutcome>();

// About 10 s on an idle 2-core machine (the endless stream runs until the 8 s total timeout).
beforeAll(async () => {
  for (const o of await Promise.all(PEER_NAMES.map(gatewayAgainst))) outcomes.set(o.peer, o);
}, 400_000);

describe('the reference gateway with a hostile upstream', () => {
  for (const peer of PEER_NAMES) {
    it(peer, () => {
      const o = outcomes.get(peer)!;
      const want = GATEWAY_ANSWERS[peer];
      expect(o.peakRss, `peak RSS ${mb(o.peakRss)}`).toBeGreaterThan(0);
      expect(o.peakRss, `peak RSS ${mb(o.peakRss)}`).toBeLessThan(RSS_CAP_BYTES);
      expect(o.clientError, o.stderr).toBeNull();
      expect(o.status).toBe(want.status);
      expect(o.message).toMatch(want.message);
      expect(o.exit, o.stderr).toBe(0); // it stops on SIGTERM as usual afterwards
      expect(o.stderr).toMatch(/^POST \/v1\/chat\/completions \d{3} /m); // its --log line
      expect(o.stderr).not.toMatch(/\n\s+at /);
      for (const [name, text] of Object.entries({ head: o.head, tail: o.tail, stdout: o.stdout, stderr: o.stderr })) {
        expect(text.includes(UPSTREAM_SECRET), `secret in ${name}`).toBe(false);
      }
    });
  }
});
