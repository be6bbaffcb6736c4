// A failing fuzz case, written as a regular cassette (exact reads, base64) with its golden and a
// parity scenario beside it: `streamproof run <dir>` replays it through the real gateway over
// sockets and fails the same way. The cassette names the seed and path that found it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { getProvider } from '../providers/index.ts';
import { requestContext } from '../gateway/context.ts';
import { createNormalizingPipeline, createPassthroughPipeline } from '../gateway/pipeline.ts';
import { HARNESS_CREATED } from '../target/target.ts';
import type { Counterexample, PropertyName } from './properties.ts';

export interface CounterexampleInfo {
  name: string;
  provider: string;
  property: PropertyName;
  seed: number;
  path: string;
  example: Counterexample;
}

export interface WrittenCounterexample {
  scenarioDir: string;
  cassette: string;
}

export const FUZZ_MODEL = 'fuzz-model';

export async function writeCounterexample(dir: string, info: CounterexampleInfo): Promise<WrittenCounterexample> {
  const { example } = info;
  const provider = getProvider(info.provider)!;
  const caseDir = join(dir, info.name);
  const fixturesDir = join(caseDir, 'fixtures', info.provider);
  mkdirSync(fixturesDir, { recursive: true });

  const requestBody: Record<string, unknown> = {
    model: FUZZ_MODEL,
    messages: [{ role: 'user', content: 'streamproof fuzz counterexample' }],
    stream: true,
    ...(example.includeUsage ? { stream_options: { include_usage: true } } : {}),
  };
  // The output the reference gateway must write: computed with the ids and clock it will use
  // when `streamproof run` sends this request (see src/gateway/context.ts).
  const raw = Buffer.from(JSON.stringify({ ...requestBody, model: `${info.provider}/${FUZZ_MODEL}` }));
  const context = requestContext({ model: FUZZ_MODEL, rawRequest: raw, maxLineBytes: 4 * 1024 * 1024, fixedCreated: HARNESS_CREATED });
  const pipeline =
    example.mode === 'passthrough'
      ? createPassthroughPipeline()
      : createNormalizingPipeline({ provider, context, includeUsage: example.includeUsage });
  let golden = pipeline.open();
  for (const read of example.goldenReads ?? example.reads) golden += pipeline.feed(read).toString();
  golden += pipeline.end();

  const cassette = {
    provider: info.provider,
    description: `fuzz counterexample (${info.property}): ${example.reason}`,
    source: {
      kind: 'constructed',
      format: `streamproof fuzz --provider ${info.provider} --property ${info.property} --seed ${info.seed} (fast-check path ${info.path || 'n/a'})`,
    },
    request: { body: requestBody },
    upstreamRequest: await upstreamExpectation(info.provider, requestBody),
    response: {
      status: 200,
      headers: { 'content-type': provider.name.startsWith('bedrock') ? 'application/vnd.amazon.eventstream' : 'text/event-stream' },
      chunks: example.reads.map((r) => ({ at: 0, base64: r.toString('base64') })),
    },
    expect: example.expect,
  };
  const cassetteFile = join(fixturesDir, 'counterexample.yaml');
  writeFileSync(
    cassetteFile,
    `# Written by streamproof fuzz: the reads that broke the property, byte for byte.\n${stringify(cassette, { lineWidth: 0 })}`,
  );
  writeFileSync(join(fixturesDir, `counterexample.${example.mode}.sse`), golden);
  writeFileSync(
    join(caseDir, 'scenario.yaml'),
    stringify({
      kind: 'parity',
      name: `fuzz counterexample ${info.name}`,
      fixtures: [`fixtures/${info.provider}/*.yaml`],
      modes: [example.mode],
      chunkings: { bytewise: false, random: 0, seed: 1 },
    }),
  );
  return { scenarioDir: join(caseDir, 'scenario.yaml'), cassette: cassetteFile };
}

/** Where the gateway must send this request: path and query only (no headers or body checks). */
async function upstreamExpectation(providerName: string, body: Record<string, unknown>) {
  const provider = getProvider(providerName)!;
  const route = { baseUrl: 'http://127.0.0.1', apiKey: 'streamproof', headers: {}, options: { ...provider.harnessOptions } };
  const request = await provider.buildRequest({ ...body, model: FUZZ_MODEL, stream: true }, route);
  return { method: 'POST', path: request.path, query: request.query };
}
