// The admin API's JSON bodies: an object (a representation) or, for Keycloak's endpoints that
// take lists (role mappings, composites, add-models), an array of objects. Anything else is 400.
import { InvalidRequest } from '../errors.ts';
import { readBody } from '../http/params.ts';

async function parse(req: Request): Promise<unknown> {
  if (!(req.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json'))
    throw new InvalidRequest('Content-Type must be application/json');
  try {
    return JSON.parse(await readBody(req, 256 * 1024));
  } catch {
    throw new InvalidRequest('Body is not valid JSON');
  }
}

export async function jsonBody(req: Request): Promise<Record<string, unknown>> {
  const value = await parse(req);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidRequest('Body must be a JSON object');
  return value as Record<string, unknown>;
}

export async function jsonArrayBody(req: Request): Promise<Array<Record<string, unknown>>> {
  const value = await parse(req);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v)))
    throw new InvalidRequest('Body must be a JSON array of objects');
  return value as Array<Record<string, unknown>>;
}

/** An optional text field of a representation. */
export function textField(body: Record<string, unknown>, key: string, max = 255): string | null | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string' || v.length > max)
    throw new InvalidRequest(`${key} must be text of at most ${max} characters`);
  return v;
}

/** A name: required text without surrounding space. */
export function nameField(body: Record<string, unknown>, key = 'name'): string {
  const v = textField(body, key);
  if (!v || v.trim() === '') throw new InvalidRequest(`${key} is required`);
  return v.trim();
}

/** Keycloak's multi-valued attributes: `{"k": ["v"]}` (a single string is a list of one). */
export function multiAttributes(value: unknown, key = 'attributes'): Record<string, string[]> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidRequest(`${key} must be an object`);
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string'))
      throw new InvalidRequest(`${key}.${k} must be a list of strings`);
    out[k] = list as string[];
  }
  return out;
}

/** A string map (client scope attributes, mapper config); numbers and booleans become text. */
export function stringMap(value: unknown, key: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidRequest(`${key} must be an object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (v !== null) throw new InvalidRequest(`${key}.${k} must be a string`);
  }
  return out;
}
