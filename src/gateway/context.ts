// Ids and clock for one request. In deterministic mode (harness runs) both are fixed: `created`
// from the config and ids derived from the request bytes, so the same request always gives the
// same output and goldens need no masks.
import { createHash, randomUUID } from 'node:crypto';
import type { DecoderContext } from '../providers/types.ts';

export function requestContext(options: {
  model: string;
  rawRequest: Buffer;
  maxLineBytes: number;
  maxEventBytes?: number;
  fixedCreated?: number;
}): DecoderContext {
  const { model, rawRequest, maxLineBytes, maxEventBytes, fixedCreated } = options;
  if (fixedCreated === undefined) {
    return {
      model,
      maxLineBytes,
      maxEventBytes,
      now: () => Math.floor(Date.now() / 1000),
      newId: (prefix) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    };
  }
  const digest = createHash('sha256').update(rawRequest).digest('hex').slice(0, 24);
  let counter = 0;
  return {
    model,
    maxLineBytes,
    maxEventBytes,
    now: () => fixedCreated,
    newId: (prefix) => `${prefix}${digest}${counter++ === 0 ? '' : `-${counter - 1}`}`,
  };
}
