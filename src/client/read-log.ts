// One stream's reads, packed for the hot path: the bytes copied into one growing buffer, each
// read's stamp and end offset in typed arrays. A read allocates nothing that outlives it (the
// driver holds thousands of streams' reads until the phase is over, and an object and a Buffer
// per read kept alive that long is what the garbage collector then spends its time on).
import type { StampedRead } from './stream-analysis.ts';

const FIRST_BYTES = 4096;
const FIRST_READS = 32;

export class ReadLog {
  private buf: Buffer = Buffer.allocUnsafeSlow(FIRST_BYTES);
  private stamps = new BigUint64Array(FIRST_READS);
  private ends = new Uint32Array(FIRST_READS);
  private n = 0;
  /** Bytes so far. */
  bytes = 0;

  get count(): number {
    return this.n;
  }

  add(at: bigint, chunk: Uint8Array): void {
    if (this.n === this.stamps.length) {
      const stamps = new BigUint64Array(this.n * 2);
      stamps.set(this.stamps);
      this.stamps = stamps;
      const ends = new Uint32Array(this.n * 2);
      ends.set(this.ends);
      this.ends = ends;
    }
    const end = this.bytes + chunk.length;
    if (end > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(end, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.bytes);
      this.buf = grown;
    }
    this.buf.set(chunk, this.bytes);
    this.stamps[this.n] = at;
    this.ends[this.n] = end;
    this.n++;
    this.bytes = end;
  }

  /** The reads as analysis takes them (views into the log's buffer, not copies). */
  reads(): StampedRead[] {
    const out: StampedRead[] = new Array(this.n);
    let from = 0;
    for (let i = 0; i < this.n; i++) {
      const to = this.ends[i]!;
      out[i] = { at: this.stamps[i]!, bytes: this.buf.subarray(from, to) };
      from = to;
    }
    return out;
  }
}
