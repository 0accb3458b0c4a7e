// A real server on a loopback port, for tests that need a socket.
import { pino } from 'pino';
import { parseStartConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import type { StoreConfig } from '../../src/store/database.ts';

export async function startRealServer(store: StoreConfig, args: string[] = []): Promise<RunningServer> {
  const config = parseStartConfig(
    [
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--import-realm',
      new URL('../fixtures/test-realm.json', import.meta.url).pathname,
      ...args,
    ],
    {},
  );
  return startServer({ ...config, store }, pino({ level: 'silent' }));
}
