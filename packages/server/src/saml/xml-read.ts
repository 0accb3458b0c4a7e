// Small readers over an already-screened DOM (safe-xml.ts). Children are matched by namespace
// and local name, never by prefix, and only direct children: a value nested elsewhere (e.g. in
// Extensions) is never picked up by accident.
import type { Element } from '@xmldom/xmldom';
import { malformed } from './saml-errors.ts';

export function childElements(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const el = n as Element;
      if (el.namespaceURI === ns && el.localName === localName) out.push(el);
    }
  }
  return out;
}

/** The single child element, or null when absent; two or more are refused. */
export function optionalChild(parent: Element, ns: string, localName: string): Element | null {
  const found = childElements(parent, ns, localName);
  if (found.length > 1) throw malformed('invalid_message', `more than one ${localName}`);
  return found[0] ?? null;
}

export function requiredChild(parent: Element, ns: string, localName: string): Element {
  const el = optionalChild(parent, ns, localName);
  if (!el) throw malformed('invalid_message', `${localName} is required`);
  return el;
}

/** Text of an element with only text children (CDATA included), trimmed as xs:token-like values are. */
export function textOf(el: Element): string {
  let text = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 3 || n.nodeType === 4) text += n.nodeValue ?? '';
    else throw malformed('invalid_message', `${el.localName} must contain only text`);
  }
  return text.trim();
}

export function attr(el: Element, name: string): string | null {
  return el.hasAttribute(name) ? el.getAttribute(name) : null;
}

export function requiredAttr(el: Element, name: string): string {
  const v = attr(el, name);
  if (v === null || v === '') throw malformed('invalid_message', `${el.localName}@${name} is required`);
  return v;
}

/** Core §1.3.3 xs:dateTime; refuses anything Date would read loosely. */
export function instantAttr(el: Element, name: string): number | null {
  const v = attr(el, name);
  if (v === null) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    throw malformed('invalid_message', `${el.localName}@${name} is not an xs:dateTime`);
  }
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw malformed('invalid_message', `${el.localName}@${name} is not an xs:dateTime`);
  return ms;
}

export function booleanAttr(el: Element, name: string): boolean {
  const v = attr(el, name);
  if (v === null) return false;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw malformed('invalid_message', `${el.localName}@${name} must be a boolean`);
}
