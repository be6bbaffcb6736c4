// A deliberately small XML 1.0 well-formedness checker for the reports' output (no dependency):
// one root element, balanced tags, quoted attributes without raw `<`/`&`, no raw `<`/`&` in
// text, only known entity references, and no characters XML 1.0 forbids. Comments, CDATA,
// DOCTYPE and processing instructions other than the XML declaration are rejected outright,
// because the reports never emit them. Returns the decoded tree so tests can inspect it.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`raw '<' in ${where}`);
  return raw.replace(/&([^;]*);?/g, (m, ref: string) => {
    if (!m.endsWith(';')) throw new Error(`unterminated reference in ${where}: ${m}`);
    const named = NAMED[ref];
    if (named !== undefined) return named;
    const num = /^#(\d+)$/.exec(ref) ?? /^#x([0-9a-fA-F]+)$/.exec(ref);
    if (!num?.[1]) throw new Error(`unknown reference &${ref}; in ${where}`);
    const cp = parseInt(num[1], ref.startsWith('#x') ? 16 : 10);
    const ch = String.fromCodePoint(cp);
    if (ILLEGAL.test(ch)) throw new Error(`reference to illegal character &${ref}; in ${where}`);
    return ch;
  });
}

export function parseXml(xml: string): XmlElement {
  const bad = ILLEGAL.exec(xml);
  if (bad) throw new Error(`illegal character U+${bad[0].codePointAt(0)?.toString(16)} at ${bad.index}`);
  if (xml.includes(']]>')) throw new Error("']]>' must not appear in character data");

  let i = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n?/.exec(xml);
  if (decl) i = decl[0].length;

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? xml.length : lt;
    const rawText = xml.slice(i, textEnd);
    const top = stack[stack.length - 1];
    if (top) top.text += decode(rawText, `text of <${top.name}>`);
    else if (rawText.trim() !== '') throw new Error(`text outside the root element: ${rawText.slice(0, 40)}`);
    if (lt === -1) break;
    i = lt + 1;

    if (xml[i] === '/') {
      const m = /^\/([A-Za-z_][\w.-]*)\s*>/.exec(xml.slice(i));
      if (!m) throw new Error(`bad end tag at ${lt}`);
      const open = stack.pop();
      if (!open || open.name !== m[1]) throw new Error(`</${m[1]}> closes <${open?.name ?? 'nothing'}>`);
      i += m[0].length;
      continue;
    }
    if (xml[i] === '!' || xml[i] === '?') throw new Error(`unexpected markup at ${lt}`);

    const name = NAME.exec(xml.slice(i))?.[0];
    if (!name) throw new Error(`bad start tag at ${lt}`);
    i += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))?.[0] ?? '';
      i += ws.length;
      if (xml.startsWith('/>', i) || xml[i] === '>') break;
      if (ws === '') throw new Error(`missing space before attribute in <${name}>`);
      const a = /^([A-Za-z_][\w.-]*)="([^"]*)"/.exec(xml.slice(i));
      if (!a?.[1] || a[2] === undefined) throw new Error(`bad attribute in <${name}> at ${i}`);
      if (a[1] in el.attrs) throw new Error(`duplicate attribute ${a[1]} in <${name}>`);
      el.attrs[a[1]] = decode(a[2], `attribute ${a[1]} of <${name}>`);
      i += a[0].length;
    }
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else if (root) throw new Error('more than one root element');
    else root = el;
    if (xml.startsWith('/>', i)) {
      i += 2;
    } else {
      i += 1;
      stack.push(el);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.map((e) => e.name).join('> <')}>`);
  if (!root) throw new Error('no root element');
  return root;
}
