// `sundown start` configuration: flags override SUNDOWN_* environment variables; everything is
// validated here, once, and handed down as a typed object.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LOGOUT_OPTIONS, type LogoutOptions } from './provider.ts';
import type { StoreConfig } from './store/database.ts';

export interface ServerConfig {
  port: number;
  host: string;
  store: StoreConfig;
  importRealms: string[];
  /** null: `http://localhost:<bound port>`. */
  publicUrl: string | null;
  httpRelativePath: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logout: LogoutOptions;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const START_OPTIONS = {
  port: { type: 'string', env: 'SUNDOWN_PORT', help: 'HTTP port (default 8080)' },
  host: {
    type: 'string',
    env: 'SUNDOWN_HOST',
    help: 'interface to bind (default 127.0.0.1; 0.0.0.0 for all)',
  },
  'data-dir': {
    type: 'string',
    env: 'SUNDOWN_DATA_DIR',
    help: 'embedded SQLite store folder (default ./.sundown)',
  },
  'database-url': {
    type: 'string',
    env: 'SUNDOWN_DATABASE_URL',
    help: 'PostgreSQL URL (instead of the embedded store)',
  },
  'import-realm': {
    type: 'string',
    multiple: true,
    env: 'SUNDOWN_IMPORT_REALM',
    help: 'Keycloak realm JSON to import (repeatable)',
  },
  'public-url': {
    type: 'string',
    env: 'SUNDOWN_PUBLIC_URL',
    help: 'external base URL of the issuer (default http://localhost:PORT)',
  },
  'http-relative-path': {
    type: 'string',
    env: 'SUNDOWN_HTTP_RELATIVE_PATH',
    help: 'path prefix such as /auth (old Keycloak URLs)',
  },
  'log-level': {
    type: 'string',
    env: 'SUNDOWN_LOG_LEVEL',
    help: 'fatal|error|warn|info|debug|trace|silent (default info)',
  },
  'logout-wait-ms': { type: 'string', env: 'SUNDOWN_LOGOUT_WAIT_MS', help: 'browser logout waits this long for back-channel answers (default 2000; 0 = no wait)' },
  'delivery-max-age-hours': { type: 'string', env: 'SUNDOWN_DELIVERY_MAX_AGE_HOURS', help: 'retry a failing back-channel delivery this long (default 24)' },
  'events-retention-days': { type: 'string', env: 'SUNDOWN_EVENTS_RETENTION_DAYS', help: 'keep events this many days (default 30)' },
} as const;

export function parseStartConfig(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): ServerConfig {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    const options = Object.fromEntries(
      Object.entries(START_OPTIONS).map(([k, v]) => [
        k,
        { type: v.type, ...('multiple' in v ? { multiple: true } : {}) },
      ]),
    ) as Record<string, { type: 'string'; multiple?: boolean }>;
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  const problems: string[] = [];
  const get = (name: keyof typeof START_OPTIONS): string | undefined => {
    const v = values[name];
    if (typeof v === 'string') return v;
    const e = env[START_OPTIONS[name].env];
    return e === '' ? undefined : e;
  };

  const portRaw = get('port') ?? '8080';
  const port = /^\d{1,5}$/.test(portRaw) ? Number(portRaw) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    problems.push(`--port must be a number from 0 (any free port) to 65535 (got "${portRaw}")`);

  const host = get('host') ?? '127.0.0.1';

  const databaseUrl = get('database-url');
  let store: StoreConfig = { kind: 'sqlite', dataDir: resolve(cwd, get('data-dir') ?? '.sundown') };
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl))
      problems.push('--database-url must start with postgres:// or postgresql://');
    if (values['data-dir'] !== undefined)
      problems.push('--data-dir and --database-url cannot be used together');
    store = { kind: 'postgres', url: databaseUrl };
  }

  const fromFlags = values['import-realm'];
  const importRealms = (
    Array.isArray(fromFlags) ? fromFlags : (env.SUNDOWN_IMPORT_REALM ?? '').split(',').filter(Boolean)
  ).map((f) => resolve(cwd, f));

  const relRaw = get('http-relative-path') ?? '';
  const httpRelativePath = relRaw === '/' ? '' : relRaw.replace(/\/+$/, '');
  if (httpRelativePath && !/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(httpRelativePath)) {
    problems.push(`--http-relative-path must look like /auth (got "${relRaw}")`);
  }

  const publicRaw = get('public-url');
  let publicUrl: string | null = null;
  if (publicRaw !== undefined) {
    try {
      const u = new URL(publicRaw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      if (u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) {
        problems.push('--public-url must be an origin only (put a path prefix in --http-relative-path)');
      }
      publicUrl = u.origin;
    } catch {
      problems.push(`--public-url must be an absolute http(s) URL (got "${publicRaw}")`);
    }
  }

  const logLevel = (get('log-level') ?? 'info') as ServerConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);

  const whole = (name: keyof typeof START_OPTIONS, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= min && n <= max)) {
      problems.push(`--${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const logout: LogoutOptions = {
    ...DEFAULT_LOGOUT_OPTIONS,
    waitMs: whole('logout-wait-ms', DEFAULT_LOGOUT_OPTIONS.waitMs, 0, 60_000),
    retry: { ...DEFAULT_LOGOUT_OPTIONS.retry, maxAgeMs: whole('delivery-max-age-hours', 24, 1, 24 * 30) * 3_600_000 },
    eventsRetentionDays: whole('events-retention-days', DEFAULT_LOGOUT_OPTIONS.eventsRetentionDays, 1, 3650),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return { port, host, store, importRealms, publicUrl, httpRelativePath, logLevel, logout };
}
