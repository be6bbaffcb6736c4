// --requests on run and bench: a requests.jsonl line per measured load request, in the report
// directory (each shard's in its shard directory; merge concatenates them).
import { join } from 'node:path';
import { openRequestLog, REQUESTS_FILE, type RequestLog } from '../load/request-log.ts';

export const REQUESTS_FLAG = { requests: { type: 'boolean', default: false } } as const;

export const REQUESTS_USAGE = `  --requests         write requests.jsonl in the report directory: one line per measured request
                     of every load phase (docs/report.md, "requests.jsonl")`;

/** The run's request log when --requests was given (the caller closes it). */
export function openRequestsFlag(values: { requests?: unknown }, reportDir: string): RequestLog | undefined {
  return values.requests === true ? openRequestLog(join(reportDir, REQUESTS_FILE)) : undefined;
}
