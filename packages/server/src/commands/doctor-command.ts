// `sundown doctor --realm R`: checks every back-channel logout URL of the realm and prints a
// table of what is wrong. Exit status 0 when all work, 2 when any needs attention.
import type { Logger } from 'pino';
import type { DoctorCommandConfig } from '../config.ts';
import { doctorRealm, formatDoctorTable } from '../logout/diagnostics/doctor.ts';
import { DEFAULT_HTTP_OPTIONS } from '../logout/delivery/backchannel-http.ts';
import { createProvider } from '../provider.ts';
import { openStore } from '../store/database.ts';

export async function runDoctorCommand(config: DoctorCommandConfig, publicUrl: string, log: Logger, write: (s: string) => void): Promise<number> {
  const store = await openStore(config.store, log);
  const provider = await createProvider(store, { publicUrl, httpRelativePath: config.httpRelativePath, log, background: false, logout: { http: { ...DEFAULT_HTTP_OPTIONS, ...config.backchannel } } });
  try {
    const realm = await provider.ctx.realms.realmByName(config.realm);
    if (!realm) {
      write(`sundown: realm "${config.realm}" not found\n`);
      return 1;
    }
    const results = await doctorRealm(provider.ctx, provider.http, realm);
    write(formatDoctorTable(results));
    return results.every((r) => r.ok) ? 0 : 2;
  } finally {
    await provider.close();
    await store.close();
  }
}
