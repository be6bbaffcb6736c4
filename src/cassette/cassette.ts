// A loaded cassette: the YAML file resolved to exact bytes and times.
import { basename, dirname, join } from 'node:path';
import { loadYamlFile } from '../base/yaml-input.ts';
import { InputError } from '../base/errors.ts';
import { providerNames } from '../providers/index.ts';
import { cassetteSchema, type CassetteFile, type Expectation, type UpstreamFault, type UpstreamRequestExpectation } from './schema.ts';

export interface ReplayChunk {
  bytes: Buffer;
  /** Milliseconds from the start of the response body, as recorded. */
  at: number;
}

export interface Cassette {
  name: string;
  file: string;
  provider: string;
  description: string;
  source: CassetteFile['source'];
  /** The OpenAI chat request the harness sends (the loader refuses a cassette without one). */
  request: { body: Record<string, unknown>; headers: Record<string, string> };
  upstreamRequest: UpstreamRequestExpectation;
  response: {
    status: number;
    headers: Record<string, string>;
    chunks: ReplayChunk[];
    end: 'end' | 'reset' | 'hang';
    /** A fault injected into every replay (absent for a plain recording). */
    fault?: UpstreamFault;
  };
  expect: Expectation;
  /** True when the client asked for a stream (the golden is SSE, otherwise JSON). */
  streaming: boolean;
  lineOf(path: readonly (string | number)[]): number | null;
}

export function loadCassette(file: string): Cassette {
  const loaded = loadYamlFile(file, cassetteSchema);
  const c = loaded.value;
  // A misspelt provider would otherwise surface as "the gateway sent no upstream request".
  if (!providerNames().includes(c.provider)) {
    throw new InputError(
      file,
      loaded.lineOf(['provider']),
      `provider: unknown provider ${JSON.stringify(c.provider)} (known: ${providerNames().join(', ')})`,
    );
  }
  const body = c.request.body;
  if (body === undefined) {
    throw new InputError(
      file,
      loaded.lineOf(['request', 'native']),
      'request has no OpenAI chat request (`body`), only `native`, the recorded request in the provider dialect: write request.body before replaying it through a gateway',
    );
  }
  const eol = c.response.eol === 'crlf' ? '\r\n' : '\n';
  let previousAt = 0;
  const chunks = c.response.chunks.map((chunk, i): ReplayChunk => {
    const at = chunk.at ?? previousAt;
    if (at < previousAt) {
      throw new InputError(
        file,
        loaded.lineOf(['response', 'chunks', i, 'at']),
        `response.chunks[${i}].at goes back in time (${at} < ${previousAt})`,
      );
    }
    previousAt = at;
    let bytes: Buffer;
    if (chunk.base64 !== undefined) bytes = Buffer.from(chunk.base64, 'base64');
    else if (chunk.text !== undefined) bytes = Buffer.from(chunk.text, 'utf8');
    else bytes = Buffer.from(`${chunk.event !== undefined ? `event: ${chunk.event}${eol}` : ''}data: ${chunk.data}${eol}${eol}`, 'utf8');
    return { bytes, at };
  });
  return {
    name: c.name ?? `${c.provider}/${basename(file).replace(/\.ya?ml$/, '')}`,
    file,
    provider: c.provider,
    description: c.description,
    source: c.source,
    request: { body, headers: c.request.headers },
    upstreamRequest: c.upstreamRequest,
    response: {
      status: c.response.status,
      headers: c.response.headers,
      chunks,
      end: c.response.end,
      ...(c.response.fault ? { fault: c.response.fault } : {}),
    },
    expect: c.expect,
    streaming: body['stream'] === true,
    lineOf: loaded.lineOf,
  };
}

/** The whole upstream body as one buffer. */
export function cassetteBody(c: Cassette): Buffer {
  return Buffer.concat(c.response.chunks.map((ch) => ch.bytes));
}

/** Where the reviewed golden output for a gateway mode sits: beside the cassette. */
export function goldenPath(c: Cassette, mode: string): string {
  const stem = basename(c.file).replace(/\.ya?ml$/, '');
  return join(dirname(c.file), `${stem}.${mode}.${c.streaming ? 'sse' : 'json'}`);
}
