import { describe, expect, it } from 'vitest';
import { parseYamlText } from '../../src/base/yaml-input.ts';
import type { InputError } from '../../src/base/errors.ts';
import { checkThresholds, MeasurementList } from '../../src/load/measurements.ts';
import { headroom, holds, parseThreshold, targetRatio, type Threshold } from '../../src/checks/thresholds.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';

const t = (name: string, text: string) => parseThreshold(name, text) as Threshold;

describe('thresholds', () => {
  it('parses "<op> <number>" with every comparator, underscores and exponents', () => {
    expect(t('a', '< 5')).toMatchObject({ op: '<', value: 5 });
    expect(t('a', '<=0.5')).toMatchObject({ op: '<=', value: 0.5 });
    expect(t('a', '> 10_000')).toMatchObject({ op: '>', value: 10_000 });
    expect(t('a', '>= 1e6')).toMatchObject({ op: '>=', value: 1_000_000 });
    expect(t('a', ' == 0 ')).toMatchObject({ op: '==', value: 0, text: '== 0' });
  });

  it('rejects anything else with a message naming the threshold', () => {
    for (const bad of ['5', '< five', '=< 5', '< 5 ms', '', '!= 0']) {
      const r = parseThreshold('added_ttft_p99_ms', bad);
      expect(typeof r).toBe('string');
      expect(r).toContain('added_ttft_p99_ms');
    }
  });

  it('checks values and reports measured/target and headroom', () => {
    expect(holds(t('a', '< 5'), 4.99)).toBe(true);
    expect(holds(t('a', '< 5'), 5)).toBe(false);
    expect(holds(t('a', '<= 5'), 5)).toBe(true);
    expect(holds(t('a', '> 100'), 100.1)).toBe(true);
    expect(holds(t('a', '== 0'), 0)).toBe(true);
    expect(holds(t('a', '== 0'), 1)).toBe(false);
    expect(targetRatio(t('a', '< 5'), 1)).toBe(0.2);
    expect(headroom(t('a', '< 5'), 1)).toBe(5);
    expect(headroom(t('a', '> 100'), 250)).toBe(2.5);
    expect(targetRatio(t('a', '== 0'), 0)).toBeNull();
  });

  it('marks each gated measurement and yields one check per threshold (a missing figure fails)', () => {
    const m = new MeasurementList();
    m.add('added_ttft_p99_ms', 3.2);
    m.add('errors', 2);
    const checks = checkThresholds(m.items, { added_ttft_p99_ms: '< 5', errors: '== 0', tokens_per_s: '> 10000' });
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['threshold:added_ttft_p99_ms', true],
      ['threshold:errors', false],
      ['threshold:tokens_per_s', false],
    ]);
    expect(checks[2]!.message).toContain('not measured');
    expect(m.items[0]).toMatchObject({ threshold: '< 5', target: { op: '<', value: 5 }, ok: true, unit: 'ms' });
    expect(m.items[1]).toMatchObject({ threshold: '== 0', target: { op: '==', value: 0 }, ok: false });
  });
});

describe('benchmark scenario schema', () => {
  const load = (yaml: string) => parseYamlText('bench.yaml', yaml, scenarioSchema);
  const base =
    'kind: load\nname: x\nsynthetic: { tokens: 5 }\nload: { model: closed, concurrency: 2 }\nduration: { seconds: 1, requests: 10 }\n';

  it('accepts the four kinds', () => {
    expect(load(`${base}thresholds:\n  added_ttft_p99_ms: "< 5"\n`).value.kind).toBe('load');
    expect(load('kind: soak\nname: s\nsynthetic: { tokens: 5 }\nconcurrency: 2\ntokens: 100\nmaxSeconds: 5\n').value.kind).toBe('soak');
    expect(load('kind: micro\nname: m\n').value.kind).toBe('micro');
    expect(load('kind: http-load\nname: h\nfixtures: [a.yaml]\nduration: { seconds: 1, requests: 10 }\n').value.kind).toBe('http-load');
  });

  it('requires both a time and a count bound', () => {
    expect(() => load(base.replace('duration: { seconds: 1, requests: 10 }\n', 'duration: { seconds: 1 }\n'))).toThrow(
      /duration\.requests/,
    );
  });

  it('rejects a malformed threshold and an unknown measurement, with file and line', () => {
    const bad = (thresholds: string) => {
      try {
        load(`${base}thresholds:\n${thresholds}`);
      } catch (err) {
        return err as InputError;
      }
      throw new Error('expected an InputError');
    };
    const syntax = bad('  added_ttft_p99_ms: "under 5"\n');
    expect(syntax.line).toBe(7);
    expect(syntax.message).toMatch(/bench\.yaml:7: thresholds\.added_ttft_p99_ms: .*not "<op> <number>"/);
    const unknown = bad('  added_ttft_p99_msec: "< 5"\n');
    expect(unknown.message).toMatch(/measures no "added_ttft_p99_msec"/);
    // A micro-benchmark figure is not a load measurement.
    expect(bad('  sse_parse_mb_s: "> 100"\n').message).toMatch(/a load scenario measures no/);
  });
});
