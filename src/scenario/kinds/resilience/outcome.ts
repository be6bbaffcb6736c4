// What a client of a resilience run ended with: its complete golden stream, a well-formed
// terminal error, having left on purpose, or broken (with why).
import { readOpenAIStream } from '../../../checks/semantic.ts';
import type { ClientStream } from './client.ts';

export type Verdict = 'golden' | 'error' | 'aborted' | 'broken';

export interface Judged {
  verdict: Verdict;
  /** Why it is broken, or the terminal error it ended with. */
  reason?: string;
}

export function judgeClient(client: ClientStream, golden: Buffer): Judged {
  if (client.aborted) return { verdict: 'aborted' };
  if (client.error !== undefined) return { verdict: 'broken', reason: `transport: ${client.error}` };
  return judgeResponse(client.status, client.body, golden);
}

/**
 * golden: status 200 and the golden byte for byte. error: an error status with an OpenAI error
 * body, or a 200 stream that is the golden up to a final error event (no [DONE], nothing after
 * it). Anything else is broken.
 */
export function judgeResponse(status: number, body: Buffer, golden: Buffer): Judged {
  if (status === 200 && body.equals(golden)) return { verdict: 'golden' };
  if (status >= 400) {
    try {
      const e = (JSON.parse(body.toString('utf8')) as { error?: { message?: unknown; type?: unknown } }).error;
      if (typeof e?.message === 'string' && typeof e.type === 'string') return { verdict: 'error', reason: `${status} ${e.message}` };
    } catch {
      // not JSON: falls through
    }
    return { verdict: 'broken', reason: `status ${status} without an OpenAI error body` };
  }
  if (status !== 200) return { verdict: 'broken', reason: `status ${status}` };
  const seen = readOpenAIStream(body);
  const at = body.lastIndexOf('data: {"error"');
  if (seen.sawDone) return { verdict: 'broken', reason: 'ended with [DONE] but differs from the golden' };
  if (!seen.error || at === -1) return { verdict: 'broken', reason: 'no terminal error event' };
  if (seen.eventsAfterEnd > 0) return { verdict: 'broken', reason: 'events after the terminal error' };
  if (seen.problems.length > 0) return { verdict: 'broken', reason: seen.problems[0]! };
  // Everything before the error event is what the golden stream says at that point.
  if (at > golden.length || !golden.subarray(0, at).equals(body.subarray(0, at)))
    return { verdict: 'broken', reason: 'events before the terminal error differ from the golden' };
  return { verdict: 'error', reason: `error event: ${seen.error.message ?? '(no message)'}` };
}
