// A small XML reader for XML Schema documents: elements, attributes, namespaces, comments, processing instructions,
// CDATA and a DOCTYPE whose internal subset may declare general entities. Enough for the ISO 15118 / W3C XSDs; it is a
// build-time tool, not a general XML parser.

export interface XmlElement {
  /** Namespace URI of the element ('' for none). */
  readonly ns: string;
  readonly local: string;
  /** Attributes by their name as written (prefix:local), values with entities expanded. */
  readonly attributes: ReadonlyMap<string, string>;
  /** In-scope namespace bindings: prefix ('' = default) → URI. */
  readonly scope: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export function parseXml(source: string, where = 'document'): XmlElement {
  let pos = 0;
  const entities = new Map<string, string>([
    ['lt', '<'],
    ['gt', '>'],
    ['amp', '&'],
    ['apos', "'"],
    ['quot', '"'],
  ]);
  const fail = (msg: string): never => {
    const line = source.slice(0, pos).split('\n').length;
    throw new XmlSyntaxError(`${where}:${line}: ${msg}`);
  };
  const expand = (s: string): string =>
    s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g, (_m, ref: string) => {
      if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
      const v = entities.get(ref);
      if (v === undefined) fail(`unknown entity &${ref};`);
      return v!;
    });

  const skipMisc = (): void => {
    for (;;) {
      while (pos < source.length && /\s/.test(source[pos]!)) pos++;
      if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (source.startsWith('<?', pos)) {
        const end = source.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (source.startsWith('<!DOCTYPE', pos)) {
        const open = source.indexOf('[', pos);
        const close = source.indexOf('>', pos);
        if (open >= 0 && open < close) {
          const end = source.indexOf(']', open);
          if (end < 0) fail('unterminated DOCTYPE internal subset');
          const subset = source.slice(open + 1, end);
          // General entities only (parameter entities `<!ENTITY % …>` are not used in element content).
          for (const m of subset.matchAll(/<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(['"])(.*?)\2\s*>/gs)) entities.set(m[1]!, m[3]!);
          pos = source.indexOf('>', end) + 1;
        } else {
          pos = close + 1;
        }
      } else {
        return;
      }
    }
  };

  const parseElement = (parentScope: ReadonlyMap<string, string>): XmlElement => {
    if (source[pos] !== '<') fail('expected an element');
    pos++;
    const nameMatch = /^[A-Za-z_][\w.:-]*/.exec(source.slice(pos, pos + 256));
    if (!nameMatch) fail('bad element name');
    const qname = nameMatch![0];
    pos += qname.length;
    const attributes = new Map<string, string>();
    for (;;) {
      while (/\s/.test(source[pos] ?? '')) pos++;
      if (source.startsWith('/>', pos) || source[pos] === '>') break;
      const am = /^([A-Za-z_][\w.:-]*)\s*=\s*(["'])([^]*?)\2/.exec(source.slice(pos, pos + 4096));
      if (!am) fail(`bad attribute in <${qname}>`);
      attributes.set(am![1]!, expand(am![3]!));
      pos += am![0].length;
    }
    const scope = new Map(parentScope);
    for (const [k, v] of attributes) {
      if (k === 'xmlns') scope.set('', v);
      else if (k.startsWith('xmlns:')) scope.set(k.slice(6), v);
    }
    const [prefix, local] = qname.includes(':') ? (qname.split(':') as [string, string]) : ['', qname];
    const ns = prefix === 'xml' ? XML_NS : (scope.get(prefix) ?? (prefix === '' ? '' : fail(`unbound prefix ${prefix}`)));
    const children: XmlElement[] = [];
    let text = '';
    if (source.startsWith('/>', pos)) {
      pos += 2;
      return { ns, local, attributes, scope, children, text };
    }
    pos++; // '>'
    for (;;) {
      const lt = source.indexOf('<', pos);
      if (lt < 0) fail(`unterminated <${qname}>`);
      text += expand(source.slice(pos, lt));
      pos = lt;
      if (source.startsWith('</', pos)) {
        const end = source.indexOf('>', pos);
        const closing = source.slice(pos + 2, end).trim();
        if (closing !== qname) fail(`</${closing}> closes <${qname}>`);
        pos = end + 1;
        return { ns, local, attributes, scope, children, text };
      }
      if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (source.startsWith('<![CDATA[', pos)) {
        const end = source.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA');
        text += source.slice(pos + 9, end);
        pos = end + 3;
      } else if (source.startsWith('<?', pos)) {
        const end = source.indexOf('?>', pos);
        pos = end + 2;
      } else {
        children.push(parseElement(scope));
      }
    }
  };

  if (source.charCodeAt(0) === 0xfeff) pos = 1;
  skipMisc();
  const root = parseElement(new Map([['xml', XML_NS]]));
  skipMisc();
  if (pos < source.length) fail('content after the root element');
  return root;
}

/** Resolves a QName-valued attribute (`prefix:local`) in the element's scope. */
export function resolveQName(element: XmlElement, value: string): { ns: string; local: string } {
  const i = value.indexOf(':');
  if (i < 0) return { ns: element.scope.get('') ?? '', local: value };
  const prefix = value.slice(0, i);
  const ns = element.scope.get(prefix);
  if (ns === undefined) throw new XmlSyntaxError(`unbound prefix ${prefix} in "${value}"`);
  return { ns, local: value.slice(i + 1) };
}
