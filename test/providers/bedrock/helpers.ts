// Shared by the Bedrock suites.
import { createHash, createHmac } from 'node:crypto';
import { cassetteBody, type Cassette } from '../../../src/cassette/cassette.ts';
import { readAllFrames } from '../../../src/eventstream/frame-reader.ts';
import type { CanonicalEvent } from '../../../src/canonical/events.ts';
import { encodeFrame } from '../../../src/eventstream/codec.ts';
import type { DecoderContext, StreamDecoder } from '../../../src/providers/types.ts';

/** The AWS SDK's class name for the cassette's exception frame (throttlingException → ThrottlingException). */
export function exceptionNameIn(cassette: Cassette): string {
  const frame = readAllFrames(cassetteBody(cassette)).find((f) => f.headers[':message-type'] === 'exception');
  const type = String(frame?.headers[':exception-type'] ?? '');
  return type.charAt(0).toUpperCase() + type.slice(1);
}

/** A fresh context whose ids restart at 0, so two runs of a decoder give equal events. */
export function freshContext(): DecoderContext {
  let n = 0;
  return { model: 'test-model', now: () => 1_700_000_000, newId: (prefix) => `${prefix}id${n++}` };
}

/** An event frame as Bedrock sends it (header order as recorded, `p` padding in the payload). */
export function eventFrame(eventType: string, body: Record<string, unknown>): Buffer {
  return encodeFrame(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    JSON.stringify({ ...body, p: 'abcdefgh' }),
  );
}

export function exceptionFrame(exceptionType: string, payload: string): Buffer {
  return encodeFrame({ ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' }, payload);
}

/** Runs a fresh decoder over the reads and returns every event, end included. */
export function decode(make: (context: DecoderContext) => StreamDecoder, reads: readonly Uint8Array[]): CanonicalEvent[] {
  const decoder = make(freshContext());
  const out: CanonicalEvent[] = [];
  for (const r of reads) decoder.feed(Buffer.from(r), out);
  decoder.end(out);
  return out;
}

/** The events of `body` fed whole, after checking every two-piece split and one byte per read give the same. */
export function decodeSplitInvariant(make: (context: DecoderContext) => StreamDecoder, body: Buffer): CanonicalEvent[] {
  const whole = decode(make, [body]);
  for (let i = 1; i < body.length; i++) {
    const split = decode(make, [body.subarray(0, i), body.subarray(i)]);
    if (JSON.stringify(split) !== JSON.stringify(whole)) throw new Error(`split at byte ${i} gives other events: ${JSON.stringify(split)}`);
  }
  const bytewise = decode(
    make,
    [...body].map((b) => Uint8Array.of(b)),
  );
  if (JSON.stringify(bytewise) !== JSON.stringify(whole))
    throw new Error(`one byte per read gives other events: ${JSON.stringify(bytewise)}`);
  return whole;
}

/**
 * Checks an AWS SigV4 Authorization header against a request as a server received it, with an
 * implementation written from the AWS spec (node:crypto), independent of @smithy/signature-v4.
 * Returns the problem, or null when the signature is right.
 */
export function verifySigV4(
  request: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: Buffer },
  secretAccessKey: string,
): string | null {
  const auth = String(request.headers['authorization'] ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return `not a SigV4 authorization header: ${auth.slice(0, 40)}…`;
  const [, , day, region, service, signedHeaders, signature] = m as unknown as string[];
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(day!)) return 'x-amz-date does not match the credential scope date';
  // Non-S3 services: every path segment is URI-encoded once more.
  const canonicalUri = request.path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(request.headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  const canonicalRequest = [request.method, canonicalUri, '', canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key: Buffer = Buffer.from(`AWS4${secretAccessKey}`);
  for (const part of [day!, region!, service!, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return expected === signature ? null : 'signature does not verify';
}
