// Parses inbound SAML XML, refusing what has no business in a SAML message and is a known
// attack vector (saml.md §8.5): a DOCTYPE (XXE, billion laughs: entity expansion), comments
// (CVE-2017-11427: c14n drops them while text readers split or join around them) and processing
// instructions (xml-crypto's c14n turns `<?p x?>y` into text `xy`, DOM text is `y`). The raw
// text is screened first, so a DOCTYPE never reaches the parser; the tree is then walked, so
// nothing the screen missed gets through. Parser warnings stop parsing too.
import { DOMParser, type Document, type Element, type Node, onWarningStopParsing } from '@xmldom/xmldom';
import { malformed } from './saml-errors.ts';

/** The largest decoded or inflated message accepted (saml.md §8.6). */
export const MAX_MESSAGE_BYTES = 128 * 1024;

const XML_DECLARATION = /^\uFEFF?<\?xml\s[^<>?]*\?>/;

export function parseSamlXml(xml: string, maxBytes = MAX_MESSAGE_BYTES): Document {
  if (Buffer.byteLength(xml, 'utf8') > maxBytes) throw malformed('too_large', 'message too large');
  const body = xml.replace(XML_DECLARATION, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw malformed('doctype', 'a DOCTYPE is not allowed');
  if (body.includes('<!--')) throw malformed('comment', 'XML comments are not allowed');
  if (body.includes('<?')) throw malformed('processing_instruction', 'processing instructions are not allowed');
  let doc: Document;
  try {
    doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(xml, 'text/xml');
  } catch (err) {
    throw malformed('not_well_formed', 'message is not well-formed XML', (err as Error).message);
  }
  if (!doc.documentElement) throw malformed('not_well_formed', 'message has no root element');
  checkNodes(doc);
  return doc;
}

const NODE = { element: 1, text: 3, cdata: 4, entityReference: 5, pi: 7, comment: 8, doctype: 10 } as const;

/**
 * A character outside XML 1.0's `Char` production (§2.2): C0 controls other than tab, LF and CR,
 * U+FFFE/U+FFFF, and unpaired surrogates. xmldom lets `&#1;` or `&#0;` through as text; they would
 * reach error messages that must be XML again, and PostgreSQL, which refuses NUL in text.
 */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkChars(value: string | null): void {
  if (value !== null && NOT_XML_CHAR.test(value))
    throw malformed('bad_encoding', 'message contains characters XML does not allow');
}

function checkNodes(doc: Document): void {
  const stack: Node[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop()!;
    // xmldom keeps the XML declaration as a leading `xml` processing instruction.
    if (node.nodeType === NODE.pi && node.nodeName === 'xml' && node === doc.firstChild) continue;
    switch (node.nodeType) {
      case NODE.doctype:
      case NODE.entityReference:
        throw malformed('doctype', 'a DOCTYPE is not allowed');
      case NODE.comment:
        throw malformed('comment', 'XML comments are not allowed');
      case NODE.pi:
        throw malformed('processing_instruction', 'processing instructions are not allowed');
      case NODE.text:
      case NODE.cdata:
        checkChars(node.nodeValue);
        break;
      case NODE.element: {
        const attributes = (node as Element).attributes;
        for (let i = 0; i < attributes.length; i++) checkChars(attributes.item(i)!.value);
        break;
      }
    }
    for (let child = node.firstChild; child; child = child.nextSibling) stack.push(child);
  }
}

/** Bytes of a message to a string: UTF-8 only (Bindings §3.4.4, §3.5.4 carry UTF-8 XML). */
export function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformed('bad_encoding', 'message is not UTF-8');
  }
}
