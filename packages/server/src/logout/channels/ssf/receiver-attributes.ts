// The import and admin API's check of a receiver client's Shared Signals attributes (Keycloak
// 26.7's names): `ssf.enabled` "true"/"false", `ssf.defaultSubjects` ALL | NONE,
// `ssf.userSubjectFormat` iss_sub | email, and each `ssf.validPushUrls` entry an absolute URL
// without fragment that obeys the outbound scheme rule of every channel (a trailing `*` widens
// its path). Called from realm-import/realm-json.ts.
import { outboundUrlSchemeProblem } from '../../outbound-url-scheme.ts';
import { SSF_CLIENT_ATTRIBUTE } from './ssf-names.ts';

/** The first problem of a client's SSF attributes as [attribute, problem], or null. */
export function ssfAttributeProblem(
  attributes: Readonly<Record<string, string>>,
  client: { publicClient: boolean },
  allowHttp: boolean,
): [string, string] | null {
  const oneOf = (name: string, values: readonly string[]): [string, string] | null => {
    const v = attributes[name];
    return v !== undefined && v !== '' && !values.includes(v) ? [name, `must be ${values.join(' or ')}`] : null;
  };
  const problem =
    oneOf(SSF_CLIENT_ATTRIBUTE.enabled, ['true', 'false']) ??
    oneOf(SSF_CLIENT_ATTRIBUTE.defaultSubjects, ['ALL', 'NONE']) ??
    oneOf(SSF_CLIENT_ATTRIBUTE.userSubjectFormat, ['iss_sub', 'email']);
  if (problem) return problem;
  const name = SSF_CLIENT_ATTRIBUTE.validPushUrls;
  for (const entry of (attributes[name] ?? '').split('##').filter(Boolean)) {
    const bare = entry.endsWith('*') ? entry.slice(0, -1) : entry;
    if (!URL.canParse(bare)) return [name, `"${entry}" must be an absolute URL`];
    const url = new URL(bare);
    if (url.hash) return [name, `"${entry}" must not contain a fragment`];
    const scheme = outboundUrlSchemeProblem(entry, url, 'push URL', client, allowHttp);
    if (scheme) return [name, scheme];
  }
  return null;
}
