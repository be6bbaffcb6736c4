// Where cassettes go: `<out>/<provider>/<name>.yaml`, the layout of fixtures/. A name comes from
// --name or from what the exchange exercises (text, tool-calls, error-429, …). A file that
// existed before is never overwritten without --force: a derived name takes the next free
// suffix (text-2.yaml), an explicit one is refused. Files written by this session are never
// overwritten either (a second exchange named `text` becomes text-2.yaml).
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../base/errors.ts';

/** Safe file stems: letters, digits, dot, dash and underscore, not starting with a dot. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** More than this many files of one name means something is wrong, not that the user wants text-1001. */
const MAX_SUFFIX = 1000;

export function checkName(name: string): string {
  if (!NAME.test(name) || name.endsWith('.yaml') || name.endsWith('.yml'))
    throw new UsageError(`--name ${JSON.stringify(name)}: use letters, digits, '.', '-' and '_' (no extension, no path)`);
  return name;
}

export class CassetteStore {
  private readonly written = new Set<string>();

  constructor(
    private readonly out: string,
    private readonly options: { force: boolean; name?: string },
  ) {}

  /** Picks the file for a cassette of `provider` that exercises `exercises`; throws when an explicit name is taken. */
  pathFor(provider: string, exercises: string): string {
    const dir = join(this.out, provider);
    const stem = this.options.name ?? exercises;
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const file = join(dir, `${n === 1 ? stem : `${stem}-${n}`}.yaml`);
      if (this.written.has(resolve(file))) continue;
      if (!existsSync(file) || this.options.force) return file;
      if (this.options.name !== undefined && n === 1)
        throw new UsageError(`${file} exists: pass --force to overwrite it, or another --name`);
    }
    throw new UsageError(`${join(dir, stem)}.yaml and ${MAX_SUFFIX - 1} numbered variants exist: clean up ${dir} or pass --name`);
  }

  /** Writes the cassette text (atomically: a temporary file renamed into place) and returns the file. */
  write(provider: string, exercises: string, text: string): string {
    const file = this.pathFor(provider, exercises);
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${schemaComment(file)}${text}`);
    renameSync(temp, file);
    this.written.add(resolve(file));
    return file;
  }
}

/** The editor hint, when the cassette JSON Schema is where fixtures/ keeps it. */
function schemaComment(file: string): string {
  const schema = resolve('fixtures/cassette.schema.json');
  // Only for cassettes under the working directory (a fixtures/ tree of this checkout).
  if (!existsSync(schema) || relative(process.cwd(), resolve(file)).startsWith('..')) return '';
  return `# yaml-language-server: $schema=${relative(dirname(resolve(file)), schema)}\n`;
}
