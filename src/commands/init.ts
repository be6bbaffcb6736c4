// `streamproof init`: starter files for a gateway's repository: streamproof.yaml (what `run`
// reads), a commented target profile, and a GitHub Actions workflow that runs streamproof, uploads
// the reports and puts summary.md on the job summary. Existing files are kept unless --force.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CliIo } from './io.ts';
import { UsageError } from '../base/errors.ts';
import { isJsonObject, parseJsonObject } from '../base/json.ts';
import { TOOL_VERSION } from '../base/version.ts';
import { providerNames } from '../providers/index.ts';
import { parseFlags } from './args.ts';
import { CONFIG_FILE } from './project-config.ts';

export const USAGE = `usage: streamproof init [--target URL] [--replay-port N] [--dir DIR] [--force]

  writes ${CONFIG_FILE}, streamproof.profile.yaml and .github/workflows/streamproof.yml
  --target URL       your gateway's base URL (default: http://127.0.0.1:4000)
  --replay-port N    the replay upstream's port your gateway is configured with (default: 9400)
  --dir DIR          the repository to write into (default: the working directory)
  --force            overwrite files that exist (without it, init writes nothing when one does)`;

export const PROFILE_FILE = 'streamproof.profile.yaml';
export const WORKFLOW_FILE = '.github/workflows/streamproof.yml';
/** Where the workflow's run writes its reports (uploaded, and summary.md shown on the job). */
export const WORKFLOW_REPORT_DIR = 'reports/streamproof';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    target: { type: 'string', default: 'http://127.0.0.1:4000' },
    'replay-port': { type: 'string', default: '9400' },
    dir: { type: 'string', default: '.' },
    force: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`init takes no arguments, got ${JSON.stringify(positionals[0])}`);
  const target = values.target.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/.test(target)) throw new UsageError(`--target must be an http(s) URL, got ${JSON.stringify(values.target)}`);
  const replayPort = Number(values['replay-port']);
  if (!Number.isInteger(replayPort) || replayPort < 1 || replayPort > 65535)
    throw new UsageError(`--replay-port must be a port number, got ${JSON.stringify(values['replay-port'])}`);
  if (!existsSync(values.dir)) throw new UsageError(`--dir ${values.dir}: no such directory`);

  const npmProject = existsSync(join(values.dir, 'package.json'));
  const installed = npmProject && listsStreamproof(join(values.dir, 'package.json'));
  const files: Record<string, string> = {
    [CONFIG_FILE]: configTemplate(target, replayPort),
    [PROFILE_FILE]: profileTemplate(),
    [WORKFLOW_FILE]: workflowTemplate({
      target,
      npmProject,
      lockfile: existsSync(join(values.dir, 'package-lock.json')),
    }),
  };
  const existing = Object.keys(files).filter((f) => existsSync(join(values.dir, f)));
  if (existing.length && !values.force)
    throw new UsageError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing written (--force overwrites)`);
  for (const [name, text] of Object.entries(files)) {
    const path = join(values.dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    io.stdout(`${existing.includes(name) ? 'overwrote' : 'wrote'} ${path}\n`);
  }
  io.stdout(
    [
      '',
      'next:',
      ...(npmProject && !installed ? ['  0. npm install --save-dev streamproof   (the workflow runs it from your devDependencies)'] : []),
      `  1. edit ${PROFILE_FILE}: how your gateway names each provider's models`,
      `  2. configure your gateway with the provider base URLs http://127.0.0.1:${replayPort}/p/<provider>, and start it`,
      `  3. npx streamproof run${npmProject ? '' : `   (or npx --yes streamproof@${TOOL_VERSION} run)`}`,
      `  4. in ${WORKFLOW_FILE}, make the "Start the gateway" step start yours`,
      '',
    ].join('\n'),
  );
  return 0;
}

function listsStreamproof(packageJson: string): boolean {
  const pkg = parseJsonObject(readFileSync(packageJson));
  return ['dependencies', 'devDependencies'].some((k) => {
    const deps = pkg?.[k];
    return isJsonObject(deps) && 'streamproof' in deps;
  });
}

export function configTemplate(target: string, replayPort: number): string {
  return `# streamproof settings for this repository (written by \`streamproof init\`). \`npx streamproof run\`
# reads this file from the working directory; a flag on the command line wins over its key.
# Paths are relative to this file.

# The gateway under test (its base URL; the chat path is in the profile). Without \`target\`,
# streamproof tests its own in-process reference gateway.
target: ${target}

# How the gateway addresses each provider: model names, headers, values it invents.
targetProfile: ${PROFILE_FILE}

# The replay upstream listens here: configure the gateway with the provider base URLs
# http://127.0.0.1:${replayPort}/p/<provider> (the run prints them all).
replayPort: ${replayPort}

# Built-in suites (\`npx streamproof suites\` lists them): conformance, faults, fuzz, bench.
suites: [conformance]

# Scenario files or folders of your own, run with the suites.
# scenarios: [streamproof/scenarios]

# Gates on benchmark measurements (the bench suite, or load scenarios of your own), replacing a
# scenario's threshold of the same name in every case that measures it.
# thresholds:
#   added_ttft_p99_ms: "< 20"
#   errors: "== 0"

# An earlier run's summary.json from the same CI machine: a measurement that moved the wrong way
# by more than the tolerance fails the run.
# baseline: streamproof-baseline.json
# baselineTolerance: 20%
`;
}

export function profileTemplate(): string {
  return `# Target profile: how streamproof addresses each provider through your gateway (written by
# \`streamproof init\`; see "Testing another gateway" in streamproof's README).
#
# Every request is an OpenAI chat-completions request, POST <target><chatPath>. Its model and
# headers say which provider the gateway should route it to; the replay upstream then plays that
# provider's recorded stream. In model names and header values:
#   {provider}  the provider: ${wrap(providerNames().join(', '), 80, '#               ')}
#   {model}     the model of the recorded exchange, e.g. gpt-5-nano
#   {upstream}  the replay base URL of that provider, http://127.0.0.1:<replayPort>/p/<provider>
name: my-gateway
description: The gateway in this repository.

# The gateway's OpenAI-compatible chat endpoint.
chatPath: /v1/chat/completions

# Which goldens its output is compared with: normalize (the gateway translates every provider's
# stream into OpenAI chat chunks) or passthrough (it forwards OpenAI-shaped upstream bytes as they are).
golden: normalize

# config: the gateway's own config points each provider at the base URLs the run prints.
# header: nothing to configure; the headers below carry {upstream} on every request.
upstream: config

# The conformance level (run --level overrides it): protocol (what every OpenAI-compatible stream
# must do), semantic (protocol plus each cassette's meaning: text, tool calls, usage, errors) or
# exact (semantic plus byte-for-byte goldens). See docs/conformance-levels.md.
level: semantic

# With level: exact, your gateway's own goldens: \`streamproof run --target … --update-goldens\`
# records them here (never the shipped goldens); review them like code.
# goldens: ./streamproof-goldens

# JSON paths of values the gateway invents (ids, timestamps): replaced with "<masked>" in both its
# output and the golden before they are compared, and listed in every report.
masks: []   # e.g. [$.id, $.created, $.system_fingerprint]

# Per provider; "*" is the default for the providers not listed.
providers:
  "*":
    model: "{provider}/{model}"        # LiteLLM-style prefixes
  # azure:
  #   model: "azure-{model}"           # an alias in the gateway's own config
  # together:
  #   model: "{model}"
  #   headers: { x-provider: together, x-base-url: "{upstream}" }
`;
}

/** Words of `text` in lines of at most `width` characters, continued with `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join(`\n${indent}`);
}

export function workflowTemplate(options: { target: string; npmProject: boolean; lockfile: boolean }): string {
  const streamproof = options.npmProject ? 'npx streamproof' : `npx --yes streamproof@${TOOL_VERSION}`;
  const install = options.npmProject
    ? `      - name: Install
        run: ${options.lockfile ? 'npm ci' : 'npm install'}   # streamproof is a devDependency: npm i -D streamproof
`
    : '';
  return `# streamproof: the gateway's streaming checked against recorded provider streams, on every push
# and pull request (written by \`streamproof init\`; the settings are in ${CONFIG_FILE}).
name: streamproof

on:
  push:
  pull_request:

jobs:
  streamproof:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20${options.lockfile ? '\n          cache: npm' : ''}
${install}      - name: Start the gateway
        # Replace the first line with how your gateway starts, configured with the replay
        # upstream's provider base URLs (see ${CONFIG_FILE}); the loop waits until it answers.
        run: |
          ./start-gateway > gateway.log 2>&1 &
          for i in $(seq 1 60); do curl -s -o /dev/null ${options.target} && exit 0; sleep 1; done
          echo "the gateway did not answer at ${options.target} within 60 s"; cat gateway.log; exit 1
      - name: streamproof
        run: ${streamproof} run --report-dir ${WORKFLOW_REPORT_DIR}
      - name: Job summary
        if: always()
        run: if [ -f ${WORKFLOW_REPORT_DIR}/summary.md ]; then cat ${WORKFLOW_REPORT_DIR}/summary.md >> "$GITHUB_STEP_SUMMARY"; fi
      - name: Upload the reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: streamproof-reports
          path: |
            ${WORKFLOW_REPORT_DIR}
            gateway.log
`;
}
