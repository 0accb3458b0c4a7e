// Readers for the value shapes of Keycloak's authorization representations that the generic
// ObjectReader (realm-json.ts) does not have: multi-valued attributes (`{"k": ["v"]}`), the
// per-client role lists (`{"app": ["r"]}`) and protocol mappers.
import type { ClientProtocol } from '../store/schema.ts';
import type { ObjectReader } from './realm-json.ts';
import { RealmImportError } from './realm-json.ts';

type Json = Record<string, unknown>;

/** Keycloak's Map<String, List<String>>; a single string is taken as a list of one. */
export function multiValuedMap(obj: ObjectReader, key: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, value] of Object.entries(objectAt(obj, key))) {
    const at = `${obj.path}.${key}["${k}"]`;
    if (typeof value === 'string') out[k] = [value];
    else if (Array.isArray(value)) {
      out[k] = value.map((v, i) => {
        if (typeof v !== 'string') throw new RealmImportError(`${at}[${i}]`, 'must be a string');
        return v;
      });
    } else if (value !== null) throw new RealmImportError(at, 'must be a list of strings');
  }
  return out;
}

/** `{"clientId": ["role", …]}` as in clientRoles; null when absent. */
export function rolesByClient(obj: ObjectReader, key: string): Record<string, string[]> | null {
  if (absent(obj, key)) return null;
  return multiValuedMap(obj, key);
}

/** A string list, or null when the key is absent (so "not said" differs from "none"). */
export function optionalStringList(obj: ObjectReader, key: string): string[] | null {
  if (absent(obj, key)) return null;
  return obj.stringList(key);
}

/** Whether a key is missing or null (and so "not said"); it counts as read either way. */
export function absent(obj: ObjectReader, key: string): boolean {
  const value = peek(obj, key);
  obj.accept(key);
  return value === undefined || value === null;
}

export interface MapperImport {
  name: string;
  protocol: ClientProtocol;
  /** Keycloak's `protocolMapper`: the mapper type. */
  protocolMapper: string;
  config: Record<string, string>;
}

/** A `protocolMappers` list of a client or client scope; null when absent. */
export function protocolMappers(
  obj: ObjectReader,
  fallbackProtocol: ClientProtocol,
  ignored: string[],
): MapperImport[] | null {
  if (absent(obj, 'protocolMappers')) return null;
  const names = new Set<string>();
  return obj.list('protocolMappers').map((raw, i) => {
    const m = obj.child(raw, `${obj.path}.protocolMappers[${i}]`);
    m.accept('id', 'consentRequired', 'consentText');
    const name = m.requiredString('name');
    if (names.has(name)) throw new RealmImportError(`${m.path}.name`, `duplicate mapper name "${name}"`);
    names.add(name);
    const protocol = m.string('protocol') ?? fallbackProtocol;
    if (protocol !== 'openid-connect' && protocol !== 'saml')
      throw new RealmImportError(`${m.path}.protocol`, `must be "openid-connect" or "saml", not "${protocol}"`);
    const mapper = { name, protocol, protocolMapper: m.requiredString('protocolMapper'), config: stringValues(m) };
    ignored.push(...m.unknownKeys());
    return mapper as MapperImport;
  });
}

/** A mapper's `config`: Keycloak stores strings; numbers and booleans are taken as their text. */
function stringValues(m: ObjectReader): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(objectAt(m, 'config'))) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (v !== null) throw new RealmImportError(`${m.path}.config["${k}"]`, 'must be a string');
  }
  return out;
}

function objectAt(obj: ObjectReader, key: string): Json {
  const value = peek(obj, key);
  obj.accept(key);
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new RealmImportError(`${obj.path}.${key}`, 'must be an object');
  return value as Json;
}

function peek(obj: ObjectReader, key: string): unknown {
  return obj.raw(key);
}
