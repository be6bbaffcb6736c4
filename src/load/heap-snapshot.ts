// The live heap of a process, from a V8 heap snapshot: the summed self sizes of every object in
// it. Writing a snapshot collects garbage first, so this is what is reachable, unlike heapUsed,
// which after a burst of traffic can stay tens of MB above it even after gc() (pages V8 has not
// compacted or returned still count there, with nothing live on them).
//
// A snapshot of a 20 MB heap is ~40 MB of JSON; parsing all of it takes seconds and hundreds of
// MB, so the nodes array is summed straight from the bytes instead.
import { readFileSync } from 'node:fs';

const NODE_FIELDS = '"node_fields":';
const NODE_COUNT = '"node_count":';
const NODES = '"nodes":[';

/** Sums `self_size` over a snapshot's nodes (the .heapsnapshot JSON format). */
export function liveHeapBytes(snapshot: Buffer): number {
  const fieldsAt = snapshot.indexOf(NODE_FIELDS);
  if (fieldsAt < 0) throw new Error('not a V8 heap snapshot (no snapshot.meta.node_fields)');
  const fieldsEnd = snapshot.indexOf(']', fieldsAt);
  const fields = JSON.parse(snapshot.toString('utf8', fieldsAt + NODE_FIELDS.length, fieldsEnd + 1)) as unknown;
  if (!Array.isArray(fields) || fields.length === 0) throw new Error('heap snapshot: node_fields is not a list of names');
  const selfSize = fields.indexOf('self_size');
  if (selfSize < 0) throw new Error('heap snapshot nodes have no self_size field');
  const countAt = snapshot.indexOf(NODE_COUNT, fieldsEnd);
  const nodeCount = countAt < 0 ? null : readInt(snapshot, countAt + NODE_COUNT.length);
  const nodesAt = snapshot.indexOf(NODES, fieldsEnd);
  if (nodesAt < 0) throw new Error('heap snapshot has no nodes array');

  // Every value of the nodes array is a non-negative integer; fields repeat per node.
  let total = 0;
  let field = 0;
  let values = 0;
  let value = 0;
  let inNumber = false;
  for (let i = nodesAt + NODES.length; i < snapshot.length; i++) {
    const c = snapshot[i]!;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
      continue;
    }
    if (inNumber) {
      if (field === selfSize) total += value;
      field = field + 1 === fields.length ? 0 : field + 1;
      values++;
      value = 0;
      inNumber = false;
    }
    if (c === 93 /* ] */) {
      if (values % fields.length !== 0) throw new Error('heap snapshot: the nodes array ends inside a node');
      if (nodeCount !== null && values / fields.length !== nodeCount)
        throw new Error(`heap snapshot: ${values / fields.length} nodes read, node_count says ${nodeCount}`);
      return total;
    }
    if (c !== 44 /* , */ && c !== 10 /* \n */ && c !== 13 && c !== 32)
      throw new Error(`heap snapshot: unexpected ${JSON.stringify(String.fromCharCode(c))} in the nodes array`);
  }
  throw new Error('heap snapshot: the nodes array does not end');
}

export function liveHeapBytesOfFile(file: string): number {
  return liveHeapBytes(readFileSync(file));
}

function readInt(buf: Buffer, from: number): number {
  let n = 0;
  for (let i = from; i < buf.length && buf[i]! >= 48 && buf[i]! <= 57; i++) n = n * 10 + (buf[i]! - 48);
  return n;
}
