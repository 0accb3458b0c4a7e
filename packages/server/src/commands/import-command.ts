// `sundown import --file F [--file G] [--check]`: imports Keycloak realm files and directory
// exports into the store and prints each realm's import report; `--check` reads and checks them
// and prints the report without writing anything. Every problem of a file is printed at once.
import { basename } from 'node:path';
import type { Logger } from 'pino';
import type { ImportCommandConfig } from '../config.ts';
import { importRealmFiles } from '../realm-import/import-realm.ts';
import { formatImportReport } from '../realm-import/import-report.ts';
import { readRealmSources } from '../realm-import/realm-files.ts';
import { parseRealmJson } from '../realm-import/realm-json.ts';
import { openStore } from '../store/database.ts';

export async function runImportCommand(
  config: ImportCommandConfig,
  log: Logger,
  write: (s: string) => void,
): Promise<number> {
  if (config.check) {
    for (const source of await readRealmSources(config.files)) {
      const parsed = parseRealmJson(source.json);
      const report = formatImportReport({
        ...parsed,
        realm: parsed.realm.realm,
        clients: parsed.realm.clients.length,
        users: parsed.realm.users.length,
        usersOnly: source.usersOnly,
        source: source.files.map((f) => basename(f)).join(' + '),
      });
      write(`${report.replace(' imported', ' checked (not written)')}\n`);
    }
    return 0;
  }
  const store = await openStore(config.store, log);
  try {
    for (const { report } of await importRealmFiles(store.db, config.files)) write(`${report}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
