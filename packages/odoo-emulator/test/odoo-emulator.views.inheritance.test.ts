/**
 * The emulator's view machinery on its own: the XML tree prints the recorded archs of real Odoo back byte for byte,
 * XPath selects what lxml selects for the expressions view specs use, and inheritance specs land where Odoo's
 * template_inheritance.py puts them (inside/after/before/replace/attributes, `<data>`, shorthand specs), refusing a
 * spec that locates nothing with Odoo's message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXml, serializeXml } from '../src/views/xml.ts';
import { selectElements } from '../src/views/xpath.ts';
import { applyInheritanceSpecs, ViewInheritanceError } from '../src/views/inheritance.ts';
import { RECORDINGS } from './helpers/odoo-replay.ts';

const apply = (base: string, spec: string) => serializeXml(applyInheritanceSpecs(parseXml(base), parseXml(spec)));

describe('XML tree', () => {
  for (const version of [17, 18, 19]) {
    it(`prints every recorded arch of Odoo ${version} back unchanged`, () => {
      const data = JSON.parse(readFileSync(join(RECORDINGS, 'odoo-views', `${version}.json`), 'utf8')) as { views: { arch_db: string }[]; get_views: { arch: string }[] };
      const archs = [...data.views.map((v) => v.arch_db), ...data.get_views.map((g) => g.arch)];
      expect(archs.length).toBe(13);
      for (const arch of archs) expect(serializeXml(parseXml(arch))).toBe(arch);
    });
  }

  it('normalises whitespace in attribute values and escapes what must be escaped', () => {
    const node = parseXml('<a b="x\ny" c="1 &lt; 2 &amp;&amp; &quot;q&quot;">t &gt; &#65;</a>');
    expect(node.attrs.get('b')).toBe('x y');
    expect(node.attrs.get('c')).toBe('1 < 2 && "q"');
    expect(node.text).toBe('t > A');
    expect(serializeXml(node)).toBe('<a b="x y" c="1 &lt; 2 &amp;&amp; &quot;q&quot;">t &gt; A</a>');
  });

  it('refuses malformed XML', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/does not match/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/redefined/);
    expect(() => parseXml('<a>')).toThrow(/not closed/);
  });
});

describe('XPath', () => {
  const doc = parseXml(`<form><sheet><notebook><page name="a"><field name="x"/></page><page name="b" class="o_b big"><field name="y"/><field name="x"/></page></notebook></sheet><field name="z"/></form>`);
  const names = (expr: string) => selectElements(doc, expr).map((n) => n.attrs.get('name') ?? n.tag);

  it('selects by path, attribute, position and Odoo\'s hasclass()', () => {
    expect(names("//field[@name='x']")).toEqual(['x', 'x']);
    expect(names('//page[2]/field')).toEqual(['y', 'x']);
    expect(names("//page[@name='b']/field[last()]")).toEqual(['x']);
    expect(names("//page[hasclass('o_b', 'big')]")).toEqual(['b']);
    expect(names("//page[hasclass('o_b', 'small')]")).toEqual([]);
    expect(names('/form/field')).toEqual(['z']);
    expect(names('/form')).toEqual(['form']);
    expect(names("//field[@name='y']/..")).toEqual(['b']);
    expect(names("//field[@name='y']/following-sibling::field")).toEqual(['x']);
    expect(names("//page[field[@name='y']]")).toEqual(['b']);
    expect(names("//page[contains(@class, 'big') and not(@name='a')]")).toEqual(['b']);
    expect(names('//notebook | //sheet')).toEqual(['sheet', 'notebook']);
    expect(names("//*[@name='z']")).toEqual(['z']);
  });

  it('refuses what it does not know instead of guessing', () => {
    expect(() => selectElements(doc, '//field[matches(@name, "x")]')).toThrow(/not supported by the emulator/);
    expect(() => selectElements(doc, "//field[@name='x'")).toThrow(/expected/);
  });
});

describe('inheritance specs', () => {
  const base = '<form>\n  <group name="g">\n    <field name="a"/>\n    <field name="b"/>\n  </group>\n</form>';

  it('puts content after, before and inside the located node', () => {
    expect(apply(base, `<xpath expr="//field[@name='a']" position="after"><field name="n"/></xpath>`)).toBe('<form>\n  <group name="g">\n    <field name="a"/><field name="n"/>\n    <field name="b"/>\n  </group>\n</form>');
    expect(apply(base, `<xpath expr="//field[@name='a']" position="before"><field name="n"/></xpath>`)).toBe('<form>\n  <group name="g"><field name="n"/>\n    <field name="a"/>\n    <field name="b"/>\n  </group>\n</form>');
    expect(apply(base, `<xpath expr="//group" position="inside"><field name="n"/></xpath>`)).toBe('<form>\n  <group name="g">\n    <field name="a"/>\n    <field name="b"/><field name="n"/>\n  </group>\n</form>');
    // Default position: inside.
    expect(apply(base, `<xpath expr="//group"><field name="n"/></xpath>`)).toContain('<field name="b"/><field name="n"/>');
  });

  it('replaces, changes attributes (set, add, remove, delete) and handles <data> and shorthand specs', () => {
    expect(apply(base, `<field name="b" position="replace"><field name="c"/></field>`)).toBe('<form>\n  <group name="g">\n    <field name="a"/>\n    <field name="c"/>\n  </group>\n</form>');
    // The removed node's tail stays (Odoo's remove_element).
    expect(apply(base, `<field name="b" position="replace"/>`)).toBe('<form>\n  <group name="g">\n    <field name="a"/>\n    \n  </group>\n</form>');
    const attrs = apply('<form><field name="a" class="x y" invisible="1"/></form>', `<data><field name="a" position="attributes"><attribute name="readonly">1</attribute><attribute name="class" add="z" remove="x" separator=" "/><attribute name="invisible"/></field></data>`);
    expect(attrs).toBe('<form><field name="a" class="y z" readonly="1"/></form>');
    expect(apply(base, `<data><group name="g" position="attributes"><attribute name="string">G</attribute></group><field name="a" position="after"><field name="n"/></field></data>`)).toContain('<group name="g" string="G">\n    <field name="a"/><field name="n"/>');
    expect(apply(base, `<form position="attributes"><attribute name="create">0</attribute></form>`)).toMatch(/^<form create="0">/);
  });

  it('refuses a spec that locates nothing, with Odoo\'s message', () => {
    let error: unknown;
    try {
      apply(base, `<xpath expr="//field[@name='no_such_anchor']" position="after"><field name="n"/></xpath>`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ViewInheritanceError);
    expect((error as Error).message).toBe(`Element '<xpath expr="//field[@name=&#39;no_such_anchor&#39;]">' cannot be located in parent view`);
    expect(() => apply(base, `<group name="nope" position="inside"/>`)).toThrow(`Element '<group name="nope">' cannot be located in parent view`);
    expect(() => apply(base, `<xpath expr="//group" position="sideways"/>`)).toThrow("Invalid position attribute: 'sideways'");
  });

  it('leaves the parent arch untouched', () => {
    const parent = parseXml(base);
    applyInheritanceSpecs(parent, parseXml(`<xpath expr="//group" position="replace"/>`));
    expect(serializeXml(parent)).toBe(base);
  });
});
