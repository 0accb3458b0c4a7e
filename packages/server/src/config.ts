// Command-line configuration: flags override SUNDOWN_* environment variables; everything is
// validated here, once, and handed down as typed objects.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CidrList, type CidrRange } from './http/cidr.ts';
import { TRUSTED_PROXY_HEADERS, type TrustedProxyHeader } from './http/client-address.ts';
import { DEFAULT_MAIL_RATE, type MailRatePolicy } from './login/mail-throttle.ts';
import { DEFAULT_LOGOUT_OPTIONS, type LogoutOptions } from './logout/logout-options.ts';
import type { StoreConfig } from './store/database.ts';
import type { MailWithoutSmtp } from './mail/mailer.ts';
import { isLoopbackUrl } from './realm/loopback-host.ts';

type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** What every command needs: where the data is and what the issuer looks like. */
export interface CommonConfig {
  store: StoreConfig;
  /** null: `http://localhost:<port>`. */
  publicUrl: string | null;
  httpRelativePath: string;
  logLevel: LogLevel;
}

/** Where back-channel logout and the doctor may connect, and which CA files they may read. */
export interface BackchannelNetworkConfig {
  /** --backchannel-deny-cidrs: refused on top of the built-in ranges (standards §4). */
  denyCidrs: CidrRange[];
  /** --backchannel-ca-dir, absolute; null: the CA attribute may only hold PEM. */
  caDir: string | null;
}

export interface ServerConfig extends CommonConfig {
  /** The master realm's first admin, created on first start only. */
  bootstrapAdmin: { username: string; password: string } | null;
  port: number;
  host: string;
  importRealms: string[];
  logout: LogoutOptions;
  /** Peers whose forwarding headers name the client (empty: the socket peer is the client). */
  trustedProxies: CidrList;
  /** The forwarding header those peers write; null: either (see http/client-address.ts). */
  trustedProxyHeader: TrustedProxyHeader | null;
  /** A realm without an SMTP server: its mail goes to the log (development) or is not sent. */
  mailWithoutSmtp: MailWithoutSmtp;
  /** Caps on "Forgot password?" and verification mails (login/mail-throttle.ts). */
  mailRate: MailRatePolicy;
}

export interface LogoutCommandConfig extends CommonConfig {
  realm: string;
  target: { user: string } | { session: string } | { all: true };
  backchannel: BackchannelNetworkConfig;
  /** How long to wait for first delivery attempts before reporting. */
  waitMs: number;
}

export interface DoctorCommandConfig extends CommonConfig {
  realm: string;
  backchannel: BackchannelNetworkConfig;
}

export interface ImportCommandConfig extends CommonConfig {
  /** Realm files and directory exports. */
  files: string[];
  /** Read and check only; write nothing. */
  check: boolean;
}

export interface TraceCommandConfig extends CommonConfig {
  /** The logout to trace (its id: the signed-out page, the console, `sundown logout` print it). */
  logoutId: string;
  /** Print the trace as JSON (the admin API's representation) instead of text. */
  json: boolean;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  env?: string;
  help: string;
}

export const COMMON_OPTIONS = {
  'data-dir': { type: 'string', env: 'SUNDOWN_DATA_DIR', help: 'embedded SQLite store folder (default ./.sundown)' },
  'database-url': {
    type: 'string',
    env: 'SUNDOWN_DATABASE_URL',
    help: 'PostgreSQL URL (instead of the embedded store)',
  },
  'public-url': {
    type: 'string',
    env: 'SUNDOWN_PUBLIC_URL',
    help: 'external origin of the issuer (default http://localhost:PORT)',
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
} satisfies Record<string, OptionSpec>;

/** The commands that send back-channel logout tokens: start, logout and doctor. */
export const BACKCHANNEL_OPTIONS = {
  'backchannel-deny-cidrs': {
    type: 'string',
    multiple: true,
    env: 'SUNDOWN_BACKCHANNEL_DENY_CIDRS',
    help: 'comma-separated CIDR ranges (repeatable) back-channel logout never connects to (besides link-local, unspecified, multicast, broadcast)',
  },
  'backchannel-ca-dir': {
    type: 'string',
    env: 'SUNDOWN_BACKCHANNEL_CA_DIR',
    help: 'folder of CA files that sundown.backchannel.ca.file may name',
  },
} satisfies Record<string, OptionSpec>;

export const START_OPTIONS = {
  port: { type: 'string', env: 'SUNDOWN_PORT', help: 'HTTP port (default 8080; 0 picks a free one)' },
  host: { type: 'string', env: 'SUNDOWN_HOST', help: 'interface to bind (default 127.0.0.1; 0.0.0.0 for all)' },
  'import-realm': {
    type: 'string',
    multiple: true,
    env: 'SUNDOWN_IMPORT_REALM',
    help: 'Keycloak realm JSON, or a directory export (<realm>-realm.json + <realm>-users-N.json), to import (repeatable)',
  },
  'logout-wait-ms': {
    type: 'string',
    env: 'SUNDOWN_LOGOUT_WAIT_MS',
    help: 'browser logout waits this long for back-channel answers (default 2000; 0 = no wait)',
  },
  'delivery-max-age-hours': {
    type: 'string',
    env: 'SUNDOWN_DELIVERY_MAX_AGE_HOURS',
    help: 'retry a failing back-channel delivery this long (default 24)',
  },
  'events-retention-days': {
    type: 'string',
    env: 'SUNDOWN_EVENTS_RETENTION_DAYS',
    help: 'keep events this many days (default 30)',
  },
  ...BACKCHANNEL_OPTIONS,
  'trusted-proxies': {
    type: 'string',
    multiple: true,
    env: 'SUNDOWN_TRUSTED_PROXIES',
    help: 'comma-separated CIDR ranges of reverse proxies whose X-Forwarded-For/Forwarded are believed (default none)',
  },
  'trusted-proxy-header': {
    type: 'string',
    env: 'SUNDOWN_TRUSTED_PROXY_HEADER',
    help: 'x-forwarded-for|forwarded: the header those proxies write; the other is ignored (default: either)',
  },
  'mail-without-smtp': {
    type: 'string',
    env: 'SUNDOWN_MAIL_WITHOUT_SMTP',
    help: 'log|refuse: mail of a realm without smtpServer is written to the server log (development) or not sent (default: log when the public URL is http on a loopback host, else refuse)',
  },
  'mail-limit-per-user': {
    type: 'string',
    env: 'SUNDOWN_MAIL_LIMIT_PER_USER',
    help: `"Forgot password?" mails, and email-verification mails, to one user per window (default ${DEFAULT_MAIL_RATE.perUser})`,
  },
  'mail-limit-per-address': {
    type: 'string',
    env: 'SUNDOWN_MAIL_LIMIT_PER_ADDRESS',
    help: `those mails asked for from one client address per window (default ${DEFAULT_MAIL_RATE.perAddress})`,
  },
  'mail-limit-window-minutes': {
    type: 'string',
    env: 'SUNDOWN_MAIL_LIMIT_WINDOW_MINUTES',
    help: `the window of those limits, from the first mail (default ${DEFAULT_MAIL_RATE.windowMs / 60_000})`,
  },
  ...COMMON_OPTIONS,
} satisfies Record<string, OptionSpec>;

/** Settings of `start` read only from the environment: a password stays out of the process list. */
export const START_ENVIRONMENT = {
  SUNDOWN_ADMIN_USERNAME:
    'creates the master realm with this admin when it has none (Keycloak: KC_BOOTSTRAP_ADMIN_USERNAME); turns on the admin console at /admin/',
  SUNDOWN_ADMIN_PASSWORD: "that admin's password (Keycloak: KC_BOOTSTRAP_ADMIN_PASSWORD)",
} as const;

export const LOGOUT_OPTIONS = {
  realm: { type: 'string', help: 'realm name (required)' },
  user: { type: 'string', help: 'log out every session of this user (username or id)' },
  session: { type: 'string', help: 'log out this one session (sid)' },
  all: { type: 'boolean', help: 'log out every session of the realm' },
  'wait-ms': { type: 'string', help: 'wait this long for first delivery attempts before reporting (default 10000)' },
  ...BACKCHANNEL_OPTIONS,
  ...COMMON_OPTIONS,
} satisfies Record<string, OptionSpec>;

export const DOCTOR_OPTIONS = {
  realm: { type: 'string', help: 'realm name (required)' },
  ...BACKCHANNEL_OPTIONS,
  ...COMMON_OPTIONS,
} satisfies Record<string, OptionSpec>;

/**
 * Every option is a flag. A bare word is most often a flag's value whose flag npm kept for itself:
 * `npm start --port 8081` passes only `8081` on, unless `--` comes before the flags.
 */
export function unexpectedArguments(positionals: string[]): string {
  const example = /^\d{1,5}$/.test(positionals[0]!) ? positionals[0]! : '8081';
  return `unexpected argument ${positionals.map((p) => `"${p}"`).join(' ')}: options are flags such as --port ${example}; through npm (npm start, npm run, npm exec), put -- before the flags so that npm passes them on: npm start -- --port ${example}`;
}

export const IMPORT_OPTIONS = {
  file: {
    type: 'string',
    multiple: true,
    help: 'Keycloak realm JSON, or a directory export, to import (repeatable; required)',
  },
  check: { type: 'boolean', help: 'read and check the files and print the report; write nothing' },
  ...COMMON_OPTIONS,
} satisfies Record<string, OptionSpec>;

export const TRACE_OPTIONS = {
  json: { type: 'boolean', help: 'print the trace as JSON' },
  ...COMMON_OPTIONS,
} satisfies Record<string, OptionSpec>;

class Reader {
  readonly problems: string[] = [];
  readonly #values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly #specs: Record<string, OptionSpec>;
  readonly #env: Record<string, string | undefined>;
  /** Arguments that are not options (only for a command that takes them). */
  readonly positionals: string[];

  constructor(
    argv: string[],
    specs: Record<string, OptionSpec>,
    env: Record<string, string | undefined>,
    allowPositionals = false,
  ) {
    this.#specs = specs;
    this.#env = env;
    try {
      const options = Object.fromEntries(
        Object.entries(specs).map(([k, v]) => [k, { type: v.type, ...(v.multiple ? { multiple: true } : {}) }]),
      );
      const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
      this.#values = parsed.values;
      if (parsed.positionals.length > 0 && !allowPositionals)
        throw new ConfigError([unexpectedArguments(parsed.positionals)]);
      this.positionals = parsed.positionals;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError([(err as Error).message]);
    }
  }

  given(name: string): boolean {
    return this.#values[name] !== undefined;
  }

  string(name: string): string | undefined {
    const v = this.#values[name];
    if (typeof v === 'string') return v;
    const envName = this.#specs[name]?.env;
    const e = envName ? this.#env[envName] : undefined;
    return e === '' ? undefined : e;
  }

  list(name: string): string[] {
    const v = this.#values[name];
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
    const envName = this.#specs[name]?.env;
    return (envName ? (this.#env[envName] ?? '') : '').split(',').filter(Boolean);
  }

  flag(name: string): boolean {
    return this.#values[name] === true;
  }

  whole(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const n = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= min && n <= max)) {
      this.problems.push(`--${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  }

  done<T>(value: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return value;
  }
}

function readCommon(r: Reader, cwd: string): CommonConfig {
  const databaseUrl = r.string('database-url');
  let store: StoreConfig = { kind: 'sqlite', dataDir: resolve(cwd, r.string('data-dir') ?? '.sundown') };
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl))
      r.problems.push('--database-url must start with postgres:// or postgresql://');
    if (r.given('data-dir')) r.problems.push('--data-dir and --database-url cannot be used together');
    store = { kind: 'postgres', url: databaseUrl };
  }

  const relRaw = r.string('http-relative-path') ?? '';
  const httpRelativePath = relRaw === '/' ? '' : relRaw.replace(/\/+$/, '');
  if (httpRelativePath && !/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(httpRelativePath)) {
    r.problems.push(`--http-relative-path must look like /auth (got "${relRaw}")`);
  }

  const publicRaw = r.string('public-url');
  let publicUrl: string | null = null;
  if (publicRaw !== undefined) {
    try {
      const u = new URL(publicRaw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      if (u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) {
        r.problems.push('--public-url must be an origin only (put a path prefix in --http-relative-path)');
      }
      publicUrl = u.origin;
    } catch {
      r.problems.push(`--public-url must be an absolute http(s) URL (got "${publicRaw}")`);
    }
  }

  const logLevel = (r.string('log-level') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) r.problems.push(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  return { store, publicUrl, httpRelativePath, logLevel };
}

/** A repeatable flag of comma-separated CIDR ranges (or its SUNDOWN_* variable); each bad entry named. */
function readCidrList(r: Reader, name: string, hint = ''): CidrList {
  const { list, problems } = CidrList.parse(
    r
      .list(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean),
  );
  for (const problem of problems) r.problems.push(`--${name}: ${problem}${hint}`);
  return list;
}

/** --trusted-proxy-header: which of the two forwarding headers the trusted proxies write. */
function readTrustedProxyHeader(r: Reader, trustedProxies: CidrList): TrustedProxyHeader | null {
  const raw = r.string('trusted-proxy-header');
  if (raw === undefined) return null;
  const header = TRUSTED_PROXY_HEADERS.find((h) => h === raw.trim().toLowerCase());
  if (header === undefined)
    r.problems.push(`--trusted-proxy-header must be ${TRUSTED_PROXY_HEADERS.join(' or ')} (got "${raw}")`);
  else if (trustedProxies.size === 0)
    r.problems.push('--trusted-proxy-header needs --trusted-proxies (the proxies that write it)');
  return header ?? null;
}

function readBackchannel(r: Reader, cwd: string): BackchannelNetworkConfig {
  const deny = readCidrList(r, 'backchannel-deny-cidrs', ' (write ranges such as 10.0.0.0/8 or fd00::/8)');
  const denyCidrs = [...deny.ranges];
  const dirRaw = r.string('backchannel-ca-dir');
  const caDir = dirRaw === undefined ? null : resolve(cwd, dirRaw);
  if (caDir !== null) {
    let isDirectory = false;
    try {
      isDirectory = statSync(caDir).isDirectory();
    } catch {
      // reported below
    }
    if (!isDirectory) r.problems.push(`--backchannel-ca-dir must be an existing folder (got "${dirRaw}")`);
  }
  return { denyCidrs, caDir };
}

export function parseStartConfig(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): ServerConfig {
  const r = new Reader(argv, START_OPTIONS, env);
  const common = readCommon(r, cwd);
  const port = r.whole('port', 8080, 0, 65535);
  const logout: LogoutOptions = {
    ...DEFAULT_LOGOUT_OPTIONS,
    http: { ...DEFAULT_LOGOUT_OPTIONS.http, ...readBackchannel(r, cwd) },
    waitMs: r.whole('logout-wait-ms', DEFAULT_LOGOUT_OPTIONS.waitMs, 0, 60_000),
    retry: { ...DEFAULT_LOGOUT_OPTIONS.retry, maxAgeMs: r.whole('delivery-max-age-hours', 24, 1, 24 * 30) * 3_600_000 },
    eventsRetentionDays: r.whole('events-retention-days', DEFAULT_LOGOUT_OPTIONS.eventsRetentionDays, 1, 3650),
  };
  // Keycloak's variable names are accepted too, so existing deployment files keep working.
  const adminUser = env.SUNDOWN_ADMIN_USERNAME || env.KC_BOOTSTRAP_ADMIN_USERNAME;
  const adminPassword = env.SUNDOWN_ADMIN_PASSWORD || env.KC_BOOTSTRAP_ADMIN_PASSWORD;
  const trustedProxies = readCidrList(r, 'trusted-proxies');
  const trustedProxyHeader = readTrustedProxyHeader(r, trustedProxies);
  if (Boolean(adminUser) !== Boolean(adminPassword))
    r.problems.push('SUNDOWN_ADMIN_USERNAME and SUNDOWN_ADMIN_PASSWORD must be set together');
  return r.done({
    ...common,
    bootstrapAdmin: adminUser && adminPassword ? { username: adminUser, password: adminPassword } : null,
    port,
    host: r.string('host') ?? '127.0.0.1',
    importRealms: r.list('import-realm').map((f) => resolve(cwd, f)),
    logout,
    trustedProxies,
    trustedProxyHeader,
    mailWithoutSmtp: readMailWithoutSmtp(r, common.publicUrl),
    mailRate: {
      perUser: r.whole('mail-limit-per-user', DEFAULT_MAIL_RATE.perUser, 1, 1000),
      perAddress: r.whole('mail-limit-per-address', DEFAULT_MAIL_RATE.perAddress, 1, 100_000),
      windowMs: r.whole('mail-limit-window-minutes', DEFAULT_MAIL_RATE.windowMs / 60_000, 1, 24 * 60) * 60_000,
    },
  });
}

/**
 * Mail in the log is for development only: a reset link there lets whoever reads the log into
 * the account. Default: on for an http issuer on a loopback host (a developer's machine), off
 * for everything else; an explicit `log` elsewhere is the operator's choice.
 */
function readMailWithoutSmtp(r: Reader, publicUrl: string | null): MailWithoutSmtp {
  const raw = r.string('mail-without-smtp');
  if (raw === undefined) {
    if (publicUrl === null) return 'log';
    const url = new URL(publicUrl);
    return url.protocol === 'http:' && isLoopbackUrl(url) ? 'log' : 'refuse';
  }
  if (raw !== 'log' && raw !== 'refuse') {
    r.problems.push(`--mail-without-smtp must be log or refuse (got "${raw}")`);
    return 'refuse';
  }
  return raw;
}

/** The issuer origin a command that does not listen uses: --public-url, else the server's default. */
export function commandPublicUrl(config: CommonConfig, env: Record<string, string | undefined>): string {
  return config.publicUrl ?? `http://localhost:${env.SUNDOWN_PORT || 8080}`;
}

export function parseLogoutCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): LogoutCommandConfig {
  const r = new Reader(argv, LOGOUT_OPTIONS, env);
  const common = readCommon(r, cwd);
  const realm = r.string('realm');
  if (!realm) r.problems.push('--realm is required');
  const user = r.string('user');
  const session = r.string('session');
  const all = r.flag('all');
  const chosen = [user, session, all || undefined].filter((v) => v !== undefined).length;
  if (chosen !== 1) r.problems.push('give exactly one of --user U, --session S or --all');
  const target = user ? { user } : session ? { session } : { all: true as const };
  return r.done({
    ...common,
    realm: realm ?? '',
    target,
    waitMs: r.whole('wait-ms', 10_000, 0, 600_000),
    backchannel: readBackchannel(r, cwd),
  });
}

/** `sundown trace <logout-id> [--json]`: the one positional argument is the logout's id. */
export function parseTraceCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): TraceCommandConfig {
  const r = new Reader(argv, TRACE_OPTIONS, env, true);
  const common = readCommon(r, cwd);
  if (r.positionals.length !== 1) r.problems.push('give one logout id: sundown trace <logout-id>');
  return r.done({ ...common, logoutId: r.positionals[0] ?? '', json: r.flag('json') });
}

export function parseDoctorCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): DoctorCommandConfig {
  const r = new Reader(argv, DOCTOR_OPTIONS, env);
  const common = readCommon(r, cwd);
  const realm = r.string('realm');
  if (!realm) r.problems.push('--realm is required');
  return r.done({ ...common, realm: realm ?? '', backchannel: readBackchannel(r, cwd) });
}

export function parseImportCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): ImportCommandConfig {
  const r = new Reader(argv, IMPORT_OPTIONS, env);
  const common = readCommon(r, cwd);
  const files = r.list('file').map((f) => resolve(cwd, f));
  if (files.length === 0) r.problems.push('--file is required (a realm JSON file or an export directory)');
  return r.done({ ...common, files, check: r.flag('check') });
}
