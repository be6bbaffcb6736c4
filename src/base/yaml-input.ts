// Loading user-written YAML (cassettes, scenarios, gateway configs, target profiles) against a
// zod schema, so every problem is reported as `file:line:column: what is wrong`.
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { InputError } from './errors.ts';

export interface LoadedYaml<T> {
  value: T;
  file: string;
  /** Line (1-based) of the node at a path inside the document, for errors found after validation. */
  lineOf(path: readonly (string | number)[]): number | null;
}

/**
 * The largest YAML file read (a recorded cassette holds at most 32 MiB of body, base64 included).
 * A larger file is refused before it is read: parsing hundreds of megabytes of YAML takes
 * gigabytes of memory.
 */
export const MAX_YAML_BYTES = 64 * 1024 * 1024;

export function loadYamlFile<S extends z.ZodType>(file: string, schema: S): LoadedYaml<z.infer<S>> {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_YAML_BYTES)
      throw new InputError(file, null, `the file is ${size} bytes; YAML inputs are read up to ${MAX_YAML_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(file, null, `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseYamlText(file, text, schema);
}

export function parseYamlText<S extends z.ZodType>(file: string, text: string, schema: S): LoadedYaml<z.infer<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw new InputError(file, line, `invalid YAML: ${firstError.message.split('\n')[0]}`);
  }
  const lineOf = (path: readonly (string | number)[]) => nodeLine(doc, lineCounter, path);
  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const where = path.length ? `${formatPath(path)}: ` : '';
    // An unknown key is reported on its own line, not its parent's.
    const at = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...path, issue.keys[0]] : path;
    throw new InputError(file, lineOf(at) ?? 1, `${where}${issue.message}`);
  }
  return { value: result.data, file, lineOf };
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function nodeLine(doc: Document, lc: LineCounter, path: readonly (string | number)[]): number | null {
  // Walk down as far as the path exists: a missing key is reported at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && (node as YamlNode).range) {
      return lc.linePos((node as YamlNode).range![0]).line;
    }
  }
  return null;
}
