import { describe, expect, it } from 'vitest';
import { renderJunit, xmlAttr, xmlText } from '../../src/report/junit.ts';
import { NASTY_DETAIL, failingSummary, passingSummary } from './fixture.ts';
import { parseXml, type XmlElement } from './xml-check.ts';

function all(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
}

describe('renderJunit', () => {
  it('is well-formed XML', () => {
    const xml = renderJunit(failingSummary());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(() => parseXml(xml)).not.toThrow();
    expect(xml).not.toContain('\u0000');
    expect(xml).not.toContain('CDATA[');
  });

  it('counts tests and failures at every level', () => {
    const root = parseXml(renderJunit(failingSummary()));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ name: 'streamproof', tests: '4', failures: '2', time: '1.234' });
    const suites = all(root, 'testsuite');
    expect(suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.time])).toEqual([
      ['openai-basics', '2', '1', '0.040'],
      ['anthropic <basics>', '2', '1', '0.030'],
    ]);
    expect(all(root, 'testcase')).toHaveLength(4);
    expect(all(root, 'failure')).toHaveLength(2);

    const ok = parseXml(renderJunit(passingSummary()));
    expect(ok.attrs).toMatchObject({ tests: '1', failures: '0' });
    expect(all(ok, 'failure')).toHaveLength(0);
  });

  it('names test cases by scenario and case, with time in seconds', () => {
    const root = parseXml(renderJunit(failingSummary()));
    const cases = all(root, 'testcase').map((c) => [c.attrs.classname, c.attrs.name, c.attrs.time]);
    expect(cases).toEqual([
      ['openai-basics', 'openai/text-usage [normalize]', '0.012'],
      ['openai-basics', 'openai/tool-call [raw] | split', '0.010'],
      ['anthropic <basics>', 'anthropic/text', '0.007'],
      ['anthropic <basics>', 'anthropic/errored', '0.003'],
    ]);
  });

  it('puts every failed check message and detail in the failure, surviving a round trip', () => {
    const root = parseXml(renderJunit(failingSummary()));
    const [first, second] = all(root, 'failure');
    expect(first?.attrs.message).toBe('golden: event 3 differs: <delta> & "usage"; chunking:bytewise: stream ended early\nafter 2 events');
    const visible = NASTY_DETAIL.replace('\u0000', '␀').replace('\u001b', '␛').replace('\ud800', '\uFFFD');
    expect(first?.text).toBe(
      `[golden] event 3 differs: <delta> & "usage"\n${visible}\n\n[chunking:bytewise] stream ended early\nafter 2 events`,
    );
    expect(second?.text).toBe('case failed without a failed check');
  });
});

describe('xml escaping', () => {
  it('escapes the five specials and replaces characters XML 1.0 forbids', () => {
    expect(xmlText(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&apos;');
    expect(xmlText(']]>')).toBe(']]&gt;');
    const illegal = '\u0000\u0008\u000B\u000C\u000E\u001F\uFFFE\uFFFF\udfff\ud800'; // reversed pair: two lone halves
    expect(xmlText(`a${illegal}b`)).toBe('a␀␈␋␌␎␟\uFFFD\uFFFD\uFFFD\uFFFDb');
    expect(xmlText('pair \ud83d\ude00 kept, tab\tand\nnewline kept, cr\r')).toBe('pair \ud83d\ude00 kept, tab\tand\nnewline kept, cr&#13;');
    expect(xmlAttr('a\tb\nc\rd')).toBe('a&#9;b&#10;c&#13;d');
    expect(() => parseXml(`<x a="${xmlAttr(`${illegal}&"<`)}">${xmlText(`${illegal}]]>&<`)}</x>`)).not.toThrow();
  });

  it('the checker itself rejects malformed XML', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow();
    expect(() => parseXml('<a>x & y</a>')).toThrow();
    expect(() => parseXml('<a>x < y</a>')).toThrow();
    expect(() => parseXml('<a b="<"/>')).toThrow();
    expect(() => parseXml('<a>\u0000</a>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow();
    expect(() => parseXml('<a>')).toThrow();
  });
});
