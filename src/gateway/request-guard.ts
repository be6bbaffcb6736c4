// Watches one client request for the two things that end it from outside: the client going away
// (seen on the socket itself, not only on a request signal, which some servers never fire for
// an HTTP/1.1 close) and the total timeout. Either aborts the current upstream call at once and
// any backoff wait in progress.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallAbort, UpstreamCall } from './upstream-call.ts';

export interface RequestGuard {
  /** Aborted when the client leaves or the total timeout passes (ends backoff waits). */
  readonly signal: AbortSignal;
  readonly clientGone: boolean;
  /** The total-timeout abort, once it fired. */
  readonly expired: CallAbort | null;
  /** The upstream call in progress, so that a client close or the deadline reaches it. */
  track(call: UpstreamCall | null): void;
  dispose(): void;
}

export function guardRequest(req: IncomingMessage, res: ServerResponse, totalMs: number): RequestGuard {
  const controller = new AbortController();
  let current: UpstreamCall | null = null;
  let clientGone = false;
  let expired: CallAbort | null = null;
  const socket = req.socket;

  const onClose = () => {
    if (res.writableFinished || clientGone) return;
    clientGone = true;
    const reason: CallAbort = { gateway: 'client_gone' };
    current?.abort(reason);
    controller.abort(reason);
  };
  const deadline = setTimeout(() => {
    expired = { gateway: 'timeout', phase: 'total', ms: totalMs };
    current?.abort(expired);
    controller.abort(expired);
  }, totalMs);
  res.on('close', onClose);
  socket.on('close', onClose);
  if (socket.destroyed) onClose();

  return {
    signal: controller.signal,
    get clientGone() {
      return clientGone;
    },
    get expired() {
      return expired;
    },
    track(call) {
      current = call;
      const reason = clientGone ? ({ gateway: 'client_gone' } as const) : expired;
      if (call && reason) call.abort(reason);
    },
    dispose() {
      clearTimeout(deadline);
      res.off('close', onClose);
      socket.off('close', onClose);
      current = null;
    },
  };
}
