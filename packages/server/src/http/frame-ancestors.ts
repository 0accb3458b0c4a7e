// The CSP `frame-ancestors` directive (CSP Level 3 §6.4.2) of the pages browser apps may frame:
// the iframe pages and form_post responses. Its sources come from clients' web origins, so only
// values that pass the origin rule (cors.ts webOriginProblem) are emitted: a stored value with
// `;` or a space would add directives to the policy, and CR/LF would make the header invalid.
import { ANY_ORIGIN, webOriginProblem } from './cors.ts';

/** The source list for `frame-ancestors`: `*`, the origins, or `'none'` without any. */
export function frameAncestorsSources(origins: Iterable<string>): string {
  const valid = [...origins].filter((o) => o === ANY_ORIGIN || webOriginProblem(o) === null);
  if (valid.includes(ANY_ORIGIN)) return '*';
  return valid.length > 0 ? valid.join(' ') : "'none'";
}
