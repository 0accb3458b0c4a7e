#!/usr/bin/env node
// The `sundown` command line. The only place that reads process.argv and process.env.
import { pino } from 'pino';
import { ConfigError, parseStartConfig, START_OPTIONS } from './config.ts';
import { RealmImportError } from './realm/realm-json.ts';
import { ListenError, startServer } from './server.ts';

const USAGE = `Usage: sundown <command> [options]

Commands:
  start     Run the OpenID Provider

Options for start (each also as an environment variable):
${Object.entries(START_OPTIONS)
  .map(([name, o]) => `  --${name.padEnd(20)} ${o.help}  [${o.env}]`)
  .join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  if (command !== 'start') {
    process.stderr.write(`sundown: unknown command "${command}"\n\n${USAGE}`);
    return 1;
  }
  if (rest.includes('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = parseStartConfig(rest, process.env);
  const log = pino({ level: config.logLevel });
  const server = await startServer(config, log);
  const base = `${server.url}${config.httpRelativePath}`;
  log.info(
    { url: base, store: config.store.kind },
    `Sundown listening on ${config.host}:${server.port}; issuer base ${base}/realms/<realm>`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, shutting down`);
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof ListenError || err instanceof RealmImportError) {
      process.stderr.write(`sundown: ${err.message}\n`);
    } else {
      process.stderr.write(`sundown: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exitCode = 1;
  },
);
