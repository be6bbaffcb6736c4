// `kind: micro`: tinybench micro-benchmarks in the driver process (no servers): SSE framing
// against eventsource-parser, per-provider translation, dispatch overhead, provider memory.
import { skippedScenario, type CheckResult, type ScenarioResult } from '../../../checks/result.ts';
import { benchCase, benchScenario } from '../../../load/bench-case.ts';
import { MeasurementList } from '../../../load/measurements.ts';
import { benchDispatch } from './dispatch.ts';
import { providerMemory } from './memory.ts';
import { benchSseFraming } from './sse.ts';
import { benchTranslation } from './translate.ts';
import { providerInputs } from './provider-cassettes.ts';
import type { ScenarioContext } from '../../kind.ts';
import type { MicroScenario } from './schema.ts';

export async function runMicroScenario(scenario: MicroScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { file, log } = ctx;
  if (ctx.target.external) {
    return skippedScenario(
      scenario.name,
      file,
      'micro',
      "micro-benchmarks measure streamproof's own parser and the reference gateway in-process, not a --target",
    );
  }
  const started = performance.now();
  const m = new MeasurementList();
  const checks: CheckResult[] = [];
  const wants = new Set(scenario.benchmarks);
  const inputs = wants.has('translate') || wants.has('dispatch') || wants.has('memory') ? providerInputs() : [];
  const skipped = inputs.filter((i) => i.skipped);
  if (skipped.length) {
    checks.push({
      name: 'providers',
      ok: true,
      message: `${skipped.length} provider(s) without usable cassettes skipped: ${skipped.map((s) => s.provider.name).join(', ')}`,
      detail: skipped.map((s) => `${s.provider.name}: ${s.skipped}`).join('\n'),
    });
  }

  if (wants.has('sse')) {
    log(`${scenario.name}: SSE framing (${scenario.sse.megabytes} MB streams)`);
    const figures = await benchSseFraming({ ...scenario.sse, timeMs: scenario.timeMs });
    for (const f of figures) {
      const shape = f.shape.replaceAll('-', '_');
      m.add(`sse_parse_${shape}_${f.readBytes}b_mb_s`, f.oursMbPerS);
      m.add(`eventsource_parser_${shape}_${f.readBytes}b_mb_s`, f.eventsourceParserMbPerS);
    }
    // The gated figure: the slower provider shape at the largest read size (how streams arrive in bulk).
    const largest = Math.max(...scenario.sse.readSizes);
    const huge = figures.filter((f) => f.shape === 'huge-line-drip');
    const bulk = figures.filter((f) => f.readBytes === largest && f.shape !== 'huge-line-drip');
    m.add('sse_parse_mb_s', Math.min(...bulk.map((f) => f.oursMbPerS)));
    m.add('eventsource_parser_mb_s', Math.min(...bulk.map((f) => f.eventsourceParserMbPerS)));
    m.add('sse_parse_vs_eventsource_parser', Math.min(...bulk.map((f) => f.oursMbPerS / f.eventsourceParserMbPerS)));
    // 1 MiB lines at every read size, the smallest reads hardest: the worse ratio is gated.
    m.add('sse_parse_huge_line_drip_vs_eventsource_parser', Math.min(...huge.map((f) => f.oursMbPerS / f.eventsourceParserMbPerS)));
    checks.push({
      name: 'sse',
      ok: true,
      message: `both parsers found the same events in ${figures.length} stream/read-size combinations`,
    });
  }
  if (wants.has('translate')) {
    log(`${scenario.name}: translation, ${inputs.length - skipped.length} providers`);
    const figures = await benchTranslation(inputs, scenario.timeMs);
    for (const f of figures) {
      m.add(`translate_${f.provider}_mb_s`, f.mbPerS);
      m.add(`translate_${f.provider}_ns_per_event`, f.nsPerEvent);
    }
    if (figures.length) {
      m.add('translate_mb_s_min', Math.min(...figures.map((f) => f.mbPerS)));
      m.add('translate_ns_per_event_max', Math.max(...figures.map((f) => f.nsPerEvent)));
    }
  }
  if (wants.has('dispatch')) {
    log(`${scenario.name}: dispatch overhead`);
    const figures = await benchDispatch(inputs, scenario.timeMs);
    for (const f of figures) m.add(`dispatch_${f.provider}_us`, f.usPerRequest);
    if (figures.length) m.add('dispatch_us_max', Math.max(...figures.map((f) => f.usPerRequest)));
  }
  if (wants.has('memory')) {
    log(`${scenario.name}: provider memory, ${scenario.memoryStreams} open pipelines each`);
    const figures = providerMemory(inputs, scenario.memoryStreams);
    for (const f of figures) m.add(`provider_memory_${f.provider}_mb`, f.megabytes);
    if (figures.length) m.add('provider_memory_max_mb', Math.max(...figures.map((f) => f.megabytes)));
  }
  const result = benchCase({ name: scenario.name, startedMs: started, measurements: m, thresholds: scenario.thresholds, checks });
  return benchScenario(scenario.name, file, scenario.kind, started, [result]);
}
