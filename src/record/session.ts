// A recording or import session: exchanges in, cassettes out, one line each. Every line goes
// through the secrets of the exchange it is about (and of the environment) before it is printed.
import { isAbsolute, relative } from 'node:path';
import type { ProviderDescriptor } from '../providers/types.ts';
import { buildCassette, type RecordedExchange } from './cassette.ts';
import { collectEnvSecrets, SecretSet } from './secrets.ts';
import { CassetteStore } from './store.ts';

export interface SessionOptions {
  out: string;
  /** An explicit cassette name (else what the exchange exercises). */
  name?: string;
  force: boolean;
  redact: readonly RegExp[];
  env: NodeJS.ProcessEnv;
  description?: string;
  /** A line for the person watching (stdout). */
  log(line: string): void;
  /** A problem (stderr). */
  warn(line: string): void;
}

export type SessionResult = { written: string } | { refused: string };

export class RecordingSession {
  private readonly store: CassetteStore;
  private readonly envSecrets = new SecretSet();
  readonly written: string[] = [];
  /** Exchanges that should have become a cassette and did not (a secret left, a bug). */
  failures = 0;

  constructor(private readonly options: SessionOptions) {
    this.store = new CassetteStore(options.out, { force: options.force, ...(options.name !== undefined ? { name: options.name } : {}) });
    collectEnvSecrets(this.envSecrets, options.env);
  }

  /** Refuses now, before any traffic, an explicit --name that is already taken (without --force). */
  checkTarget(provider: ProviderDescriptor): void {
    if (this.options.name !== undefined) this.store.pathFor(provider.name, this.options.name);
  }

  async add(exchange: RecordedExchange, provider: ProviderDescriptor): Promise<SessionResult> {
    const { request, response } = exchange;
    const what = `${request.method} ${request.path} → ${response.status}`;
    const built = await buildCassette(exchange, {
      provider,
      redact: this.options.redact,
      env: this.options.env,
      ...(this.options.description !== undefined ? { description: this.options.description } : {}),
    });
    const mask = (text: string) => built.secrets.mask(text);
    if (!built.ok) {
      this.failures++;
      this.options.warn(mask(`not written: ${what}: ${built.problem}`));
      return { refused: built.problem };
    }
    const file = this.store.write(provider.name, built.exercises, built.text);
    this.written.push(file);
    const reads = response.reads.length;
    const span =
      exchange.boundaries === 'recorded'
        ? `${reads} read${reads === 1 ? '' : 's'} over ${response.reads.at(-1)?.at ?? 0} ms`
        : `${reads} event${reads === 1 ? '' : 's'}`;
    this.options.log(mask(`wrote ${shown(file)}: ${what}, ${span}, ${response.end} (expect not reviewed yet)`));
    for (const note of built.notes) this.options.log(mask(`  note: ${note}`));
    return { written: file };
  }

  /**
   * A line about an exchange that produced no cassette (masked with the environment's secrets):
   * a failure (counted; stderr), nothing to record (stderr), or a request that is not a model
   * call (stdout).
   */
  skipped(what: string, why: string, outcome: 'failed' | 'empty' | 'passed'): void {
    if (outcome === 'failed') this.failures++;
    const line = this.envSecrets.mask(`not recorded: ${what}: ${why}`);
    if (outcome === 'passed') this.options.log(line);
    else this.options.warn(line);
  }
}

/** A path relative to the working directory when it is under it, else as it is. */
function shown(file: string): string {
  const r = relative(process.cwd(), file);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? file : r;
}
