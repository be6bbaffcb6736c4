// The layer rule: a module imports only from its own folder or from layers below it, and no
// import cycle exists between files. Read from the source text, so a new import that breaks the
// rule fails here before anyone has to notice it in review.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Lowest first. Folders on one line are peers: neither may import the other. */
const LAYERS: readonly (readonly string[])[] = [
  ['base'],
  ['sse', 'eventstream', 'canonical'],
  ['providers'],
  ['cassette'],
  ['replay'],
  ['record'],
  ['gateway'],
  ['target'],
  ['client'],
  ['checks'],
  ['fuzz', 'load'],
  ['scenario'],
  ['report'],
  ['commands'],
  ['cli.ts'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Relative imports of a file, resolved to absolute paths. */
function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  return [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), m[1]!));
}

/** The folder (or top-level file) a path belongs to, and its rank. */
function layerOf(file: string): { name: string; rank: number } {
  const top = relative(SRC, file).split('/')[0]!;
  const rank = LAYERS.findIndex((names) => names.includes(top));
  return { name: top, rank };
}

/** Every import that breaks the layer rule, as "from -> to (why)". */
function layerViolations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    for (const target of targets) {
      const to = layerOf(target);
      if (to.name === from.name) continue;
      const where = `${relative(SRC, file)} -> ${relative(SRC, target)}`;
      if (from.rank < 0) out.push(`${where}: src/${from.name} is in no layer (add it to LAYERS)`);
      else if (to.rank < 0) out.push(`${where}: src/${to.name} is in no layer (add it to LAYERS)`);
      else if (to.rank > from.rank) out.push(`${where}: imports a higher layer`);
      else if (to.rank === from.rank) out.push(`${where}: imports a peer layer`);
    }
  }
  return out;
}

/** Import cycles between files (strongly connected components of more than one file, or self-imports). */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.map((f) => relative(SRC, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function sourceGraph(): Map<string, string[]> {
  return new Map(sourceFiles(SRC).map((f) => [f, importsOf(f)]));
}

describe('the layer rule', () => {
  const graph = sourceGraph();

  it('every module imports only from its own folder or a lower layer', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('no import cycle exists between files', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('every folder of src/ is in a layer', () => {
    const tops = new Set([...graph.keys()].map((f) => relative(SRC, f).split('/')[0]!));
    expect([...tops].filter((t) => !LAYERS.flat().includes(t))).toEqual([]);
  });

  // The checks themselves must be able to fail.
  it('finds an uphill import, a peer import and a cycle', () => {
    const f = (p: string) => join(SRC, p);
    const bad = new Map<string, string[]>([
      [f('sse/parser.ts'), [f('gateway/server.ts'), f('canonical/events.ts')]],
      [f('gateway/server.ts'), [f('sse/parser.ts')]],
    ]);
    expect(layerViolations(bad)).toEqual([
      'sse/parser.ts -> gateway/server.ts: imports a higher layer',
      'sse/parser.ts -> canonical/events.ts: imports a peer layer',
    ]);
    expect(importCycles(bad)).toEqual([['gateway/server.ts', 'sse/parser.ts']]);
  });

  it('reads static, type-only, re-export and dynamic imports', () => {
    const file = join(SRC, 'commands/x.ts');
    const text = `import a from './a.ts';\nimport type { B } from '../b.ts';\nexport { c } from './c.ts';\nconst d = await import('../d/d.ts');\nimport './e.ts';`;
    expect(importsOf(file, text).map((p) => relative(SRC, p))).toEqual([
      'commands/a.ts',
      'b.ts',
      'commands/c.ts',
      'd/d.ts',
      'commands/e.ts',
    ]);
  });
});
