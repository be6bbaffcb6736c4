// The provider registry is the one place a provider is registered; everything else a provider
// needs is checked here: its source folder, its cassettes and a golden beside each (both modes for
// passthrough providers), a parity scenario that replays them, its fuzz generator, and its row in
// the README's provider table.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isJsonObject } from '../../src/base/json.ts';
import { providers } from '../../src/providers/index.ts';
import type { ProviderDescriptor } from '../../src/providers/types.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(REPO_ROOT, 'fixtures');

/** The folder column of every row in the README's "## Providers" table. */
function readmeProviderFolders(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = /^## Providers\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/^\|[^|\n]*\|\s*`([^`]+)`\s*\|/gm)].map((m) => m[1]!);
}

/** Every cassette a shipped `kind: parity` scenario replays (its `fixtures` globs, resolved). */
function cassettesInParityScenarios(): Set<string> {
  const covered = new Set<string>();
  for (const file of globSync('scenarios/**/*.yaml', { cwd: REPO_ROOT, absolute: true })) {
    const scenario: unknown = parse(readFileSync(file, 'utf8'));
    if (!isJsonObject(scenario) || scenario['kind'] !== 'parity' || !Array.isArray(scenario['fixtures'])) continue;
    for (const pattern of scenario['fixtures']) {
      const absolute = resolve(dirname(file), String(pattern));
      for (const match of globSync(relative(REPO_ROOT, absolute), { cwd: REPO_ROOT })) covered.add(match);
    }
  }
  return covered;
}

/** Every problem with one provider's fixtures folder, as readable lines (empty when complete). */
function fixtureProblems(provider: ProviderDescriptor): string[] {
  const dir = join(FIXTURES, provider.name);
  if (!existsSync(dir)) return [`no fixtures folder ${relative(REPO_ROOT, dir)}/`];
  const cassettes = globSync('**/*.yaml', { cwd: dir, absolute: true }).sort();
  if (cassettes.length === 0) return [`no cassette (*.yaml) in ${relative(REPO_ROOT, dir)}/`];
  const modes = provider.supportsPassthrough ? ['normalize', 'passthrough'] : ['normalize'];
  const problems: string[] = [];
  for (const file of cassettes) {
    const cassette: unknown = parse(readFileSync(file, 'utf8'));
    const request = isJsonObject(cassette) ? cassette['request'] : undefined;
    const body = isJsonObject(request) ? request['body'] : undefined;
    if (isJsonObject(cassette) && cassette['provider'] !== provider.name) {
      problems.push(`${relative(REPO_ROOT, file)} is for provider ${JSON.stringify(cassette['provider'])}`);
    }
    // The golden is the client's view: SSE for a streaming request, JSON otherwise.
    const ext = isJsonObject(body) && body['stream'] === true ? 'sse' : 'json';
    for (const mode of modes) {
      const golden = join(dirname(file), `${basename(file, '.yaml')}.${mode}.${ext}`);
      if (!existsSync(golden)) problems.push(`no golden ${relative(REPO_ROOT, golden)} for ${relative(REPO_ROOT, file)}`);
    }
  }
  return problems;
}

const covered = cassettesInParityScenarios();

describe.each(providers.map((p) => [p.name, p] as const))('provider %s', (name, provider) => {
  it('has its source folder under src/providers/', () => {
    expect(existsSync(join(REPO_ROOT, 'src/providers', name, 'index.ts')), `src/providers/${name}/index.ts`).toBe(true);
  });

  it('has cassettes in fixtures/<name>/, each with its goldens', () => {
    expect(fixtureProblems(provider)).toEqual([]);
  });

  it('has its cassettes replayed by a parity scenario under scenarios/', () => {
    // Cassettes in sub-folders need a special route (fixtures/straico/prompt-endpoint/) and are
    // exercised by their own tests.
    const cassettes = globSync(`fixtures/${name}/*.yaml`, { cwd: REPO_ROOT }).sort();
    expect(cassettes.filter((c) => !covered.has(c))).toEqual([]);
  });

  it('has a fuzz generator', () => {
    expect(typeof provider.fuzz?.generate, `${name}: the descriptor's fuzz (see src/providers/stream-model.ts)`).toBe('function');
    expect(['sse', 'eventstream', 'json']).toContain(provider.fuzz.framing);
  });

  it("has a row in the README's provider table", () => {
    expect(readmeProviderFolders(), `README.md ## Providers: a row with \`${name}\` in the folder column`).toContain(name);
  });
});

describe('the registry', () => {
  const names = providers.map((p) => p.name);

  it('names each provider once', () => {
    expect(new Set(names).size).toBe(names.length);
  });

  it('holds every provider folder (a folder with an index.ts under src/providers/)', () => {
    const folders = globSync('*/index.ts', { cwd: join(REPO_ROOT, 'src/providers') }).map((f) => f.split('/')[0]!);
    expect(folders.filter((f) => !names.includes(f))).toEqual([]);
  });

  it('holds every fixtures folder', () => {
    const folders = readdirSync(FIXTURES, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => !names.includes(f))).toEqual([]);
  });

  it("holds every provider in the README's table", () => {
    const rows = readmeProviderFolders();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => !names.includes(r))).toEqual([]);
  });
});
