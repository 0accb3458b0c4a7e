// Where a mapper's value goes and in what JSON type, as Keycloak's OIDCAttributeMapperHelper
// does it: `claim.name` is a path of components split at unescaped dots (`address.country`
// nests, `https://ex\.org/roles` does not; JsonUtils.splitClaimPath), `jsonType.label` converts
// (String, long, int, boolean, JSON), a collection is kept whole only when `multivalued` is
// "true" (else its first value is used), and a multivalued claim that is already there gets the
// new values added. A value Keycloak would fail on (a `long` that is no number, JSON that does
// not parse) leaves the claim out instead of failing the token.

export type Claims = Record<string, unknown>;

/** JsonUtils.splitClaimPath: components split at dots, `\.` an escaped dot. */
export function splitClaimPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\' && i + 1 < path.length) {
      current += path[++i];
    } else if (ch === '.' && current !== '') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current !== '') parts.push(current);
  return parts;
}

const NOT_CONVERTIBLE = Symbol('not convertible');

/** OIDCAttributeMapperHelper.convertToType for one value. */
function convert(type: string | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (type) {
    case 'String':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      // Boolean.valueOf: "true" in any case is true, anything else false.
      return typeof value === 'string' ? value.toLowerCase() === 'true' : NOT_CONVERTIBLE;
    case 'long':
    case 'int': {
      if (typeof value === 'number') return Number.isInteger(value) ? value : NOT_CONVERTIBLE;
      if (typeof value !== 'string' || !/^[+-]?\d+$/.test(value.trim())) return NOT_CONVERTIBLE;
      const n = Number(value.trim());
      if (type === 'int' && (n > 2 ** 31 - 1 || n < -(2 ** 31))) return NOT_CONVERTIBLE;
      return Number.isSafeInteger(n) ? n : NOT_CONVERTIBLE;
    }
    case 'JSON':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return NOT_CONVERTIBLE;
      }
    default:
      return value;
  }
}

/**
 * OIDCAttributeMapperHelper.mapAttributeValue: null for nothing to map (no value, an empty
 * collection, a value the type cannot take).
 */
export function mapAttributeValue(config: Readonly<Record<string, string>>, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const type = config['jsonType.label'];
  if (Array.isArray(value)) {
    if (value.length === 0) return null;
    if (isMultivalued(config)) {
      const out = value.map((v) => convert(type, v)).filter((v) => v !== null && v !== undefined);
      return out.includes(NOT_CONVERTIBLE) ? null : out;
    }
    value = value[0];
  }
  const converted = convert(type, value);
  return converted === NOT_CONVERTIBLE || converted === undefined ? null : converted;
}

export function isMultivalued(config: Readonly<Record<string, string>>): boolean {
  return config.multivalued === 'true';
}

/**
 * Puts a value at a claim path (OIDCAttributeMapperHelper.mapClaim's "other claims" branch):
 * nested objects are made on the way; at the end a multivalued value joins what is there.
 */
export function putClaim(claims: Claims, path: readonly string[], value: unknown, multivalued: boolean): void {
  let target: Claims = claims;
  path.forEach((component, i) => {
    if (i < path.length - 1) {
      const next = target[component];
      if (next === undefined || next === null) target = target[component] = {};
      else if (typeof next === 'object' && !Array.isArray(next)) target = next as Claims;
      // A scalar in the way: Keycloak fails the token here (ClassCastException); the claim is left out.
      else target = {};
      return;
    }
    const existing = target[component];
    if (!multivalued || existing === undefined || existing === null) {
      target[component] = value;
      return;
    }
    const values = Array.isArray(existing) ? [...(existing as unknown[])] : [existing];
    for (const v of Array.isArray(value) ? value : [value]) if (!values.includes(v)) values.push(v);
    target[component] = values;
  });
}
