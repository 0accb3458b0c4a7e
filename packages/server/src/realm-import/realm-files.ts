// Reading realm files as Keycloak writes them: a single file (`kc.sh export --file`, a partial
// export from the admin console), or a directory (`kc.sh export --dir`): `<realm>-realm.json`
// with the realm and its clients, and `<realm>-users-<n>.json` files holding only
// `{"realm", "users"}`. Keycloak's directory import (DirImportProvider) imports the realm file,
// then adds each users file's users to that realm; a users file never carries realm settings, so
// importing one alone must leave the realm's own settings as they are.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { RealmImportError } from './import-problems.ts';

type Json = Record<string, unknown>;

/** One realm to import, from one or more files. */
export interface RealmSource {
  /** The realm file merged with its users files; or only `{realm, users}` when `usersOnly`. */
  json: unknown;
  /** Only users files: add their users to the realm as it is stored (never reset its settings). */
  usersOnly: boolean;
  files: string[];
}

const USERS_FILE = /^(.+)-(?:federated-)?users-\d+\.json$/;

/** Whether a parsed file is a users file of a directory export: only `realm` and users. */
export function isUsersFile(json: unknown): json is Json & { realm: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const keys = Object.keys(json);
  return (
    typeof (json as Json).realm === 'string' &&
    keys.some((k) => k === 'users' || k === 'federatedUsers') &&
    keys.every((k) => k === 'realm' || k === 'users' || k === 'federatedUsers')
  );
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new RealmImportError('$', `cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The `.json` files named on the command line, a directory standing for every one in it. */
async function expand(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((err: Error) => {
      throw new RealmImportError('$', `cannot read ${path}: ${err.message}`);
    });
    if (!info.isDirectory()) files.push(path);
    else for (const name of (await readdir(path)).sort()) if (name.endsWith('.json')) files.push(join(path, name));
  }
  return files;
}

function realmName(json: unknown, file: string): string {
  const name = (json as Json).realm;
  if (typeof name === 'string' && name !== '') return name;
  return USERS_FILE.exec(basename(file))?.[1] ?? basename(file);
}

/**
 * The realms of files and directories, in the order given: each realm file with the users of
 * its users files appended (by the `realm` they name), and users files without their realm file
 * as users-only sources.
 */
export async function readRealmSources(paths: readonly string[]): Promise<RealmSource[]> {
  const realms = new Map<string, RealmSource>();
  const usersFiles: Array<{ name: string; file: string; json: Json }> = [];
  for (const file of await expand(paths)) {
    const json = await readJson(file);
    if (isUsersFile(json)) usersFiles.push({ name: realmName(json, file), file, json });
    else realms.set(`${realmName(json, file)}\u0000${file}`, { json, usersOnly: false, files: [file] });
  }
  const byName = new Map<string, RealmSource>();
  for (const [key, source] of realms) byName.set(key.split('\u0000')[0]!, source);
  for (const { name, file, json } of usersFiles) {
    let source = byName.get(name);
    if (!source) {
      source = { json: { realm: name, users: [] }, usersOnly: true, files: [] };
      byName.set(name, source);
      realms.set(`${name}\u0000users`, source);
    }
    const target = source.json as Json;
    const users = Array.isArray(target.users) ? target.users : [];
    target.users = [...users, ...(Array.isArray(json.users) ? json.users : [])];
    if (json.federatedUsers !== undefined) target.federatedUsers = json.federatedUsers;
    source.files.push(file);
  }
  return [...realms.values()];
}
