#!/usr/bin/env node
// The `sundown` command line. The only place that reads process.argv and process.env.
import { pino } from 'pino';
import { runDoctorCommand } from './commands/doctor-command.ts';
import { runImportCommand } from './commands/import-command.ts';
import { runLogoutCommand } from './commands/logout-command.ts';
import { runTraceCommand } from './commands/trace-command.ts';
import {
  COMMON_OPTIONS,
  ConfigError,
  commandPublicUrl,
  DOCTOR_OPTIONS,
  IMPORT_OPTIONS,
  LOGOUT_OPTIONS,
  parseDoctorCommand,
  parseImportCommand,
  parseLogoutCommand,
  parseStartConfig,
  START_ENVIRONMENT,
  parseTraceCommand,
  START_OPTIONS,
  TRACE_OPTIONS,
} from './config.ts';
import { RealmImportError } from './realm-import/realm-json.ts';
import { ListenError, startServer } from './server.ts';
import { DataDirInUse } from './store/data-dir-lock.ts';

type Options = Record<string, { help: string; env?: string }>;
const describe = (options: Options, skip: Options = {}) =>
  Object.entries(options)
    .filter(([name]) => !(name in skip))
    .map(([name, o]) => `  --${name.padEnd(24)} ${o.help}${o.env ? `  [${o.env}]` : ''}`)
    .join('\n');

/** Every environment variable `start` reads: the flags' and the ones without a flag. */
const environment = () =>
  [
    ...Object.entries(START_OPTIONS).flatMap(([name, o]) =>
      'env' in o ? [[o.env, `as --${name}${'multiple' in o ? ' (comma-separated)' : ''}`] as const] : [],
    ),
    ...Object.entries(START_ENVIRONMENT),
  ]
    .map(([env, help]) => `  ${env.padEnd(32)} ${help}`)
    .join('\n');

const USAGE = `Usage: sundown <command> [options]

Commands:
  start     Run the OpenID Provider
  logout    End sessions (and send every client its logout token):
            sundown logout --realm R (--user U | --session S | --all)
  doctor    Check every back-channel logout URL of a realm: sundown doctor --realm R
  import    Import Keycloak realm files or export directories and print the import report:
            sundown import --file realm.json [--file export-dir] [--check]
  trace     Show one logout's timeline across channels: sundown trace <logout-id>

Options of start (each also as an environment variable):
${describe(START_OPTIONS, COMMON_OPTIONS)}

Environment variables of start (a flag wins over its variable):
${environment()}

Options of logout:
${describe(LOGOUT_OPTIONS, COMMON_OPTIONS)}

Options of doctor:
${describe(DOCTOR_OPTIONS, COMMON_OPTIONS)}

Options of import:
${describe(IMPORT_OPTIONS, COMMON_OPTIONS)}
Options of trace:
${describe(TRACE_OPTIONS, COMMON_OPTIONS)}

Options of every command:
${describe(COMMON_OPTIONS)}
`;

const write = (s: string) => process.stdout.write(s);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help' || rest.includes('--help')) {
    write(USAGE);
    return command ? 0 : 1;
  }
  if (command === 'logout') {
    const config = parseLogoutCommand(rest, process.env);
    return runLogoutCommand(
      config,
      commandPublicUrl(config, process.env),
      pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }),
      write,
    );
  }
  if (command === 'doctor') {
    const config = parseDoctorCommand(rest, process.env);
    return runDoctorCommand(
      config,
      commandPublicUrl(config, process.env),
      pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }),
      write,
    );
  }
  if (command === 'import') {
    const config = parseImportCommand(rest, process.env);
    return runImportCommand(config, pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }), write);
  }
  if (command === 'trace') {
    const config = parseTraceCommand(rest, process.env);
    return runTraceCommand(
      config,
      commandPublicUrl(config, process.env),
      pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }),
      write,
    );
  }
  if (command !== 'start') {
    process.stderr.write(`sundown: unknown command "${command}"\n\n${USAGE}`);
    return 1;
  }
  const config = parseStartConfig(rest, process.env);
  const log = pino({ level: config.logLevel });
  // Signal handlers before anything listens: a signal that arrived first would kill the process
  // without closing the store.
  const running: { server?: Awaited<ReturnType<typeof startServer>> } = {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, shutting down`);
    await running.server?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const server = await startServer(config, log, (report) => process.stdout.write(`${report}\n`));
  running.server = server;
  if (stopping) {
    await server.close();
    return 0;
  }
  const base = `${server.url}${config.httpRelativePath}`;
  log.info(
    { url: base, store: config.store.kind },
    `Sundown listening on ${config.host}:${server.port}; issuer base ${base}/realms/<realm>`,
  );
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (
      err instanceof ConfigError ||
      err instanceof ListenError ||
      err instanceof RealmImportError ||
      err instanceof DataDirInUse
    ) {
      process.stderr.write(`sundown: ${err.message}\n`);
    } else {
      process.stderr.write(`sundown: failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exitCode = 1;
  },
);
