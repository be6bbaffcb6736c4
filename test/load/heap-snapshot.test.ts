// The live heap summed straight from a snapshot's bytes must equal what parsing the whole
// snapshot gives, on a real V8 snapshot and on small hand-made ones.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveHeapBytes } from '../../src/load/heap-snapshot.ts';

/** The reference: parse everything, sum self_size. */
function parsedSum(text: string): number {
  const s = JSON.parse(text) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
  const fields = s.snapshot.meta.node_fields;
  let total = 0;
  for (let i = fields.indexOf('self_size'); i < s.nodes.length; i += fields.length) total += s.nodes[i]!;
  return total;
}

function snapshotText(nodes: number[], nodeCount = nodes.length / 3): string {
  return `{"snapshot":{"meta":{"node_fields":["type","id","self_size"],"node_types":[["hidden"],"string","number"],"edge_fields":["type","name_or_index","to_node"]},"node_count":${nodeCount},"edge_count":0},\n"nodes":[${nodes.join(',\n')}],\n"edges":[],\n"strings":["nodes","[1,2,3]"]}`;
}

describe('liveHeapBytes', () => {
  it('equals the parsed sum on a real V8 heap snapshot', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamproof-heap-')), 'x.heapsnapshot');
    const r = spawnSync(process.execPath, ['-e', `require('node:v8').writeHeapSnapshot(${JSON.stringify(file)})`], { timeout: 60_000 });
    expect(r.status, String(r.stderr)).toBe(0);
    const text = readFileSync(file, 'utf8');
    const expected = parsedSum(text);
    expect(expected).toBeGreaterThan(1_000_000); // a bare Node process holds a few MB
    expect(liveHeapBytes(Buffer.from(text))).toBe(expected);
  });

  it('sums the self_size field of every node, whatever the field order', () => {
    const text = snapshotText([1, 10, 100, 2, 11, 2_000_000_000, 3, 12, 7]);
    expect(liveHeapBytes(Buffer.from(text))).toBe(2_000_000_107);
    expect(parsedSum(text)).toBe(2_000_000_107);
  });

  it('rejects a snapshot whose node count disagrees, or that is not a snapshot', () => {
    expect(() => liveHeapBytes(Buffer.from(snapshotText([1, 10, 100, 2, 11, 5], 3)))).toThrow(/2 nodes read, node_count says 3/);
    expect(() => liveHeapBytes(Buffer.from(snapshotText([1, 10, 100, 2, 11])))).toThrow(/ends inside a node/);
    expect(() => liveHeapBytes(Buffer.from('{"nodes":[1,2,3]}'))).toThrow(/not a V8 heap snapshot/);
    expect(() => liveHeapBytes(Buffer.from(snapshotText([1, 10, -100])))).toThrow(/unexpected "-"/);
  });
});
