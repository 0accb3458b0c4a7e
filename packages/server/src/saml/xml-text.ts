// Escaping for the hand-written XML templates (XML 1.0 §2.4 character data, §3.1 attribute
// values). Everything interpolated into a template goes through one of these two.

/** Text content: `&`, `<`, `>` (the last for `]]>`). */
export function xmlText(value: string): string {
  return checkChars(value).replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** A double-quoted attribute value: also `"`, and whitespace that attribute normalisation would fold. */
export function xmlAttr(value: string): string {
  return checkChars(value).replace(/[&<>"\t\n\r]/g, (c) => ATTR[c]!);
}

const ATTR: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

// XML 1.0 §2.2: control characters other than tab, LF, CR cannot appear at all, escaped or not.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function checkChars(value: string): string {
  if (FORBIDDEN.test(value)) throw new TypeError('value contains characters XML cannot carry');
  return value;
}
