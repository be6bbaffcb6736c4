// What each hostile peer must make the user see: the harness's failed check and the gateway's
// status and error message. Shared by the tests and scripts/hostile-report.ts.
import type { PeerName } from './peers.ts';
import { GATEWAY_TIMEOUTS } from './run-peer.ts';

const firstByte = new RegExp(`upstream sent no response within ${GATEWAY_TIMEOUTS.firstByteMs} ms \\(first-byte timeout\\)`);

export const HARNESS_MESSAGES: Record<PeerName, RegExp> = {
  'endless-stream': /status: recorded: the response body passed 67108864 bytes; stopped reading/,
  'endless-event': /status: recorded: the target sent more than 16777216 bytes of data without ending an SSE event; stopped reading/,
  'giant-line': /status: recorded: the target sent an SSE line longer than 4194304 bytes; stopped reading/,
  garbage: /status: recorded: the target's answer is not HTTP: /,
  silent: /status: recorded: no response headers within 10000 ms/,
  'reset-mid-header': /status: recorded: the target (reset|closed) the connection/,
  slowloris: /status: recorded: no response headers within 10000 ms/,
  'echo-secrets': /status: recorded: status 401, expected 200: .*Incorrect API key provided: \[redacted\]/,
};

export const GATEWAY_ANSWERS: Record<PeerName, { status: number; message: RegExp }> = {
  'endless-stream': {
    status: 200,
    message: new RegExp(`error event: request exceeded the total timeout of ${GATEWAY_TIMEOUTS.totalMs} ms`),
  },
  'endless-event': {
    status: 200,
    message: /error event: upstream sent an SSE event of more than 16777216 bytes without ending it \(limits\.maxEventBytes\)/,
  },
  'giant-line': { status: 200, message: /error event: upstream stream could not be decoded: SSE line longer than 4194304 bytes/ },
  garbage: { status: 502, message: /upstream request failed: Response does not match the HTTP\/1.1 protocol/ },
  silent: { status: 504, message: firstByte },
  'reset-mid-header': { status: 502, message: /upstream request failed: / },
  slowloris: { status: 504, message: firstByte },
  'echo-secrets': { status: 401, message: /Incorrect API key provided: Bearer \[redacted\]/ },
};
