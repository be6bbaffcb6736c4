// JSON files from outside (HAR captures) with line numbers for errors: the value comes from
// JSON.parse; where a value sits in the text is found only when an error needs it, by one scan
// of the text that notes where each object and array starts (to a bounded depth).
import { InputError } from '../base/errors.ts';

export interface LocatedJson {
  value: unknown;
  /** The line (1-based) of the value at a path, or of its nearest container that was noted. */
  lineOf(path: readonly (string | number)[]): number | null;
}

/** Containers deeper than this are not noted (a HAR entry's headers are at depth 5). */
const MAX_DEPTH = 6;

export function parseJsonLocated(file: string, text: string): LocatedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text around the error, which may hold a secret: say
    // where and what kind of token instead.
    const error = firstSyntaxError(text);
    throw new InputError(file, lineAt(text, error.offset), `not valid JSON: ${error.problem}`);
  }
  let starts: Map<string, number> | null = null;
  return {
    value,
    lineOf(path) {
      starts ??= containerStarts(text);
      for (let depth = Math.min(path.length, MAX_DEPTH); depth >= 0; depth--) {
        const offset = starts.get(JSON.stringify(path.slice(0, depth)));
        if (offset !== undefined) return lineAt(text, offset);
      }
      return null;
    },
  };
}

export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Where each object and array (to MAX_DEPTH) starts, by its path. The text is valid JSON. */
function containerStarts(text: string): Map<string, number> {
  const starts = new Map<string, number>();
  let pos = 0;
  const skipSpace = () => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\n' || text[pos] === '\r' || text[pos] === '\t')) pos++;
  };
  const readString = (): string => {
    const start = pos++;
    while (text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  // An explicit stack instead of recursion: input nesting cannot overflow the call stack.
  type Frame = { close: '}' | ']'; path: (string | number)[]; next: number };
  const stack: Frame[] = [];
  const open = (path: (string | number)[]): void => {
    skipSpace();
    const c = text[pos];
    if (c === '{' || c === '[') {
      if (path.length <= MAX_DEPTH) starts.set(JSON.stringify(path), pos);
      pos++;
      stack.push({ close: c === '{' ? '}' : ']', path, next: 0 });
    } else if (c === '"') readString();
    else while (pos < text.length && !',}] \t\r\n'.includes(text[pos]!)) pos++;
  };
  open([]);
  while (stack.length > 0) {
    const frame = stack.at(-1)!;
    skipSpace();
    if (text[pos] === frame.close) {
      pos++;
      stack.pop();
      continue;
    }
    if (text[pos] === ',') {
      pos++;
      skipSpace();
    }
    if (frame.close === '}') {
      const key = readString();
      skipSpace();
      pos++; // the colon
      open([...frame.path, key]);
    } else open([...frame.path, frame.next++]);
  }
  return starts;
}

/** Where JSON text first goes wrong, and how (the text is known not to parse). */
export function firstSyntaxError(text: string): { offset: number; problem: string } {
  let pos = 0;
  const fail = (problem: string): never => {
    throw Object.assign(new Error(problem), { offset: pos });
  };
  const describe = () => (pos >= text.length ? 'the end of the file' : `${JSON.stringify(text[pos])}`);
  const skipSpace = () => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\n' || text[pos] === '\r' || text[pos] === '\t')) pos++;
  };
  const string = () => {
    pos++;
    while (pos < text.length && text[pos] !== '"') {
      if (text.charCodeAt(pos) < 0x20) fail('a control character inside a string');
      if (text[pos] === '\\') {
        const e = text[pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) fail('a bad \\u escape');
          pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) pos += 2;
        else fail('a bad escape');
      } else pos++;
    }
    if (pos >= text.length) fail('a string that never ends');
    pos++;
  };
  const scalar = () => {
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(pos, pos + 400));
    if (!m) fail(`unexpected ${describe()}`);
    pos += m![0].length;
  };
  type Frame = { close: '}' | ']'; first: boolean };
  const stack: Frame[] = [];
  const value = () => {
    skipSpace();
    const c = text[pos];
    if (c === '{' || c === '[') {
      pos++;
      stack.push({ close: c === '{' ? '}' : ']', first: true });
    } else if (c === '"') string();
    else scalar();
  };
  try {
    value();
    while (stack.length > 0) {
      const frame = stack.at(-1)!;
      skipSpace();
      if (text[pos] === frame.close && frame.first) {
        pos++;
        stack.pop();
        continue;
      }
      if (!frame.first) {
        if (text[pos] === frame.close) {
          pos++;
          stack.pop();
          continue;
        }
        if (text[pos] !== ',') fail(`expected ',' or '${frame.close}', found ${describe()}`);
        pos++;
        skipSpace();
      }
      frame.first = false;
      if (frame.close === '}') {
        if (text[pos] !== '"') fail(`expected a property name in double quotes, found ${describe()}`);
        string();
        skipSpace();
        if (text[pos] !== ':') fail(`expected ':', found ${describe()}`);
        pos++;
      }
      value();
    }
    skipSpace();
    if (pos < text.length) fail(`unexpected ${describe()} after the end of the value`);
  } catch (err) {
    const offset = (err as { offset?: number }).offset;
    if (offset === undefined) throw err;
    return { offset, problem: (err as Error).message };
  }
  return { offset: text.length, problem: 'not valid JSON' };
}
