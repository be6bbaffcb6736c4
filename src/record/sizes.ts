// Byte sizes on the command line: 1048576, 64KiB, 32MiB, 1GiB (also KB/MB/GB, as powers of 1000).
import { UsageError } from '../base/errors.ts';

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** The largest size any bound may be set to: a recording is held in memory. */
export const MAX_BYTE_SIZE = 4 * 1024 ** 3;

export function parseByteSize(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isFinite(bytes) || bytes < 1 || bytes > MAX_BYTE_SIZE)
    throw new UsageError(`${flag} must be a size like 1048576, 64KiB or 32MiB (at most 4GiB), got ${JSON.stringify(text)}`);
  return bytes;
}
