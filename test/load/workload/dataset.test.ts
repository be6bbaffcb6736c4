import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/base/errors.ts';
import { conversation, loadDataset, parseDataset, type PromptWorkload } from '../../../src/load/workload/dataset.ts';

const dir = mkdtempSync(join(tmpdir(), 'streamproof-dataset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorOf = (f: () => unknown): InputError => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
};

describe('JSONL dataset', () => {
  it('reads one request body per line, skipping blank lines, and keeps each line number', () => {
    const text = [
      '{"messages":[{"role":"user","content":"Hello"}],"max_tokens":64}',
      '',
      '{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"output_tokens":12,"temperature":0.2,"stream":false,"model":"x"}',
      '{"messages":[{"role":"user","content":[{"type":"text","text":"parts"}]}]}',
    ].join('\n');
    const rows = parseDataset('d.jsonl', text);
    expect(rows.map((r) => r.line)).toEqual([1, 3, 4]);
    expect(rows[0]).toMatchObject({ outputTokens: 64, body: { max_tokens: 64 } });
    // output_tokens is ours (never sent); stream and model are the load run's to set.
    expect(rows[1]!.outputTokens).toBe(12);
    expect(rows[1]!.body).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      temperature: 0.2,
    });
    expect(rows[2]!.outputTokens).toBeNull();
  });

  it('names the file and line of a bad request', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"messages":[{"role":"user","content":"ok"}]}\n{"messages":[]}', /^d\.jsonl:2: messages: Too small/],
      ['{"messages":[{"role":"user","content":"ok"}]}\n\n{not json', /^d\.jsonl:3: not JSON/],
      ['{"messages":[{"role":"robot","content":"ok"}]}', /^d\.jsonl:1: messages\[0\]\.role: Invalid option/],
      ['{"messages":[{"role":"user","content":"ok"}],"max_tokens":0}', /^d\.jsonl:1: max_tokens: Too small/],
      ['[1,2]', /^d\.jsonl:1: Invalid input: expected object/],
      ['\n\n', /^d\.jsonl: the dataset holds no request/],
    ];
    for (const [text, message] of cases) {
      const err = errorOf(() => parseDataset('d.jsonl', text));
      expect(err.exitCode).toBe(2);
      expect(err.message, text).toMatch(message);
    }
  });

  it('reads a file from disk, refusing a missing one by name', () => {
    const file = join(dir, 'ok.jsonl');
    writeFileSync(file, '{"messages":[{"role":"user","content":"Hello"}]}\n');
    expect(loadDataset(file)).toHaveLength(1);
    expect(errorOf(() => loadDataset(join(dir, 'missing.jsonl'))).message).toMatch(/missing\.jsonl: cannot read dataset \(ENOENT\)/);
  });
});

describe('multi-turn conversations', () => {
  const w: PromptWorkload = {
    promptTokens: { type: 'fixed', value: 5 },
    outputTokens: { type: 'uniform', min: 3, max: 9 },
    turns: { type: 'fixed', value: 3 },
    seed: 11,
  };

  it('turn k carries every earlier turn (user and assistant) and a new user message', () => {
    const turns = conversation(w, 0);
    expect(turns.map((t) => t.body.messages.map((m) => m.role))).toEqual([
      ['user'],
      ['user', 'assistant', 'user'],
      ['user', 'assistant', 'user', 'assistant', 'user'],
    ]);
    for (let k = 1; k < turns.length; k++) {
      // The context grows: the earlier request is a prefix of the later one.
      expect(turns[k]!.body.messages.slice(0, turns[k - 1]!.body.messages.length)).toEqual(turns[k - 1]!.body.messages);
      // The assistant message has the length drawn for that earlier turn's answer.
      const answer = turns[k]!.body.messages[2 * k - 1]!.content as string;
      expect(answer.split(' ')).toHaveLength(turns[k - 1]!.outputTokens);
    }
    for (const t of turns) {
      expect((t.body.messages.at(-1)!.content as string).split(' ')).toHaveLength(5);
      expect(t.body.max_tokens).toBe(t.outputTokens);
      expect(t.outputTokens).toBeGreaterThanOrEqual(3);
      expect(t.outputTokens).toBeLessThanOrEqual(9);
    }
  });

  it('is seeded: the same (seed, index) gives the same conversation; others differ', () => {
    expect(conversation(w, 4)).toEqual(conversation(w, 4));
    expect(conversation(w, 4)).not.toEqual(conversation(w, 5));
    expect(conversation({ ...w, seed: 12 }, 4)).not.toEqual(conversation(w, 4));
  });

  it('starts from a dataset row when given one', () => {
    const opening = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Our own prompt' },
    ];
    const turns = conversation({ ...w, turns: { type: 'fixed', value: 2 } }, 0, opening);
    expect(turns[0]!.body.messages).toEqual(opening);
    expect(turns[1]!.body.messages.slice(0, 2)).toEqual(opening);
    expect(turns[1]!.body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
  });
});
