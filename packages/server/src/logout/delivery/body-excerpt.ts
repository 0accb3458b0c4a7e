// What of a receiver's answer body is kept: at most a short excerpt, escaped, so that neither
// the delivery list, the events nor the doctor become a way to read internal services (SSRF),
// and no markup, control or look-alike character from a receiver reaches a log line or a page.

/** The longest excerpt, in characters after escaping. */
export const EXCERPT_CHARS = 100;

/** Kept as they are: printable ASCII except markup characters and the escape character. */
const PLAIN = /[\x20-\x7e]/;
const MARKUP = new Set(['<', '>', '&', '\\']);

function escapeChar(ch: string): string {
  if (PLAIN.test(ch) && !MARKUP.has(ch)) return ch;
  return [...Array(ch.length).keys()].map((i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
}

/**
 * An escaped excerpt of `body` (empty for an empty body) of at most `max` characters after
 * escaping, saying how much was left out.
 */
export function bodyExcerpt(body: string, max = EXCERPT_CHARS): string {
  const chars = [...body.replace(/\s+/g, ' ').trim()];
  let kept = '';
  let used = 0;
  for (const ch of chars) {
    const escaped = escapeChar(ch);
    if (kept.length + escaped.length > max) break;
    kept += escaped;
    used++;
  }
  return used < chars.length ? `${kept}… (${chars.length - used} more characters not kept)` : kept;
}
