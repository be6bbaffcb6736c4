// A hand-built RunSummary exercising every report path: passes and failures, a failure detail
// with a Markdown fence, XML specials, `]]>`, a NUL, an ESC and a lone surrogate, and masks.

import { SUMMARY_VERSION, type RunSummary } from '../../src/checks/result.ts';

export const NASTY_DETAIL = [
  '--- expected',
  '+++ actual',
  '```json',
  '{"text":"<b>fish & chips</b>","q":"\'x\'"}',
  '```',
  'end of CDATA ]]> here',
  'nul:\u0000 esc:\u001b[31m lone:\ud800 done',
].join('\n');

export function failingSummary(): RunSummary {
  return {
    version: SUMMARY_VERSION,
    tool: { name: 'streamproof', version: '0.1.0' },
    runId: '2026-11-21T05-31-07-123Z-a1b2',
    startedAt: '2026-11-21T05:31:07.123Z',
    durationMs: 1234,
    target: 'http://localhost:8787/v1?x=1&y=2',
    status: 'fail',
    totals: { scenarios: 2, cases: 4, passed: 2, failed: 2, skipped: 0 },
    scenarios: [
      {
        name: 'openai-basics',
        file: 'scenarios/openai-basics.yaml',
        kind: 'replay',
        status: 'fail',
        durationMs: 40,
        cases: [
          {
            name: 'openai/text-usage [normalize]',
            file: 'cassettes/openai/text-usage.json',
            status: 'pass',
            durationMs: 12,
            checks: [{ name: 'golden', ok: true }],
            masks: ['$.id', '$.created'],
          },
          {
            name: 'openai/tool-call [raw] | split',
            file: 'cassettes/openai/tool-call.json',
            status: 'fail',
            durationMs: 9.6,
            checks: [
              { name: 'golden', ok: false, message: 'event 3 differs: <delta> & "usage"', detail: NASTY_DETAIL },
              { name: 'chunking:bytewise', ok: false, message: 'stream ended early\nafter 2 events' },
              { name: 'semantic', ok: true },
            ],
            masks: ['$.system_fingerprint'],
          },
        ],
      },
      {
        name: 'anthropic <basics>',
        file: 'scenarios/anthropic.yaml',
        kind: 'replay',
        status: 'fail',
        durationMs: 30,
        cases: [
          {
            name: 'anthropic/text',
            status: 'pass',
            durationMs: 7,
            checks: [{ name: 'golden', ok: true }],
          },
          {
            name: 'anthropic/errored',
            status: 'fail',
            durationMs: 3,
            checks: [],
          },
        ],
      },
    ],
  };
}

export function passingSummary(): RunSummary {
  return {
    version: SUMMARY_VERSION,
    tool: { name: 'streamproof', version: '0.1.0' },
    runId: '2026-11-21T05-31-07-123Z-ffff',
    startedAt: '2026-11-21T05:31:07.123Z',
    durationMs: 20,
    target: 'reference gateway (in-process)',
    status: 'pass',
    totals: { scenarios: 1, cases: 1, passed: 1, failed: 0, skipped: 0 },
    scenarios: [
      {
        name: 'openai-basics',
        file: 'scenarios/openai-basics.yaml',
        kind: 'replay',
        status: 'pass',
        durationMs: 15,
        cases: [
          {
            name: 'openai/text-usage [normalize]',
            status: 'pass',
            durationMs: 12,
            checks: [{ name: 'golden', ok: true }],
          },
        ],
      },
    ],
  };
}
