// `npm start`: the single sign-out demo. Ctrl-C stops everything.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { DataDirInUse } from '@sundown/server';
import { DEMO_ADMIN, DemoPortError, startDemo } from './start-demo.ts';

function port(name: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || n > 65535) {
    process.stderr.write(`demo: --${name} must be a port number, or 0 for a free one (got "${raw}")\n`);
    process.exit(1);
  }
  return n;
}

const USAGE =
  'Usage: npm start -- [--port 8080] [--app-one-port 3001] [--app-two-port 3002] [--app-three-port 3003] [--app-four-port 3004] [--data-dir .sundown] [--verbose]';

let values: Record<string, string | boolean | undefined>;
let positionals: string[];
try {
  ({ values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '8080' },
      'app-one-port': { type: 'string', default: '3001' },
      'app-two-port': { type: 'string', default: '3002' },
      'app-three-port': { type: 'string', default: '3003' },
      'app-four-port': { type: 'string', default: '3004' },
      'data-dir': { type: 'string', default: '.sundown' },
      verbose: { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  process.stderr.write(`demo: ${(err as Error).message}\n${USAGE}\n`);
  process.exit(1);
}
// `npm start --port 18090` keeps `--port` for npm and passes only `18090` on: say what is missing.
if (positionals.length > 0) {
  const example = /^\d{1,5}$/.test(positionals[0]!) ? positionals[0]! : '8081';
  process.stderr.write(
    `demo: unexpected argument ${positionals.map((p) => `"${p}"`).join(' ')}. npm keeps the flags after "npm start" for itself: put -- before them, e.g. npm start -- --port ${example}\n${USAGE}\n`,
  );
  process.exit(1);
}

try {
  const demo = await startDemo({
    serverPort: port('port', String(values.port)),
    appOnePort: port('app-one-port', String(values['app-one-port'])),
    appTwoPort: port('app-two-port', String(values['app-two-port'])),
    appThreePort: port('app-three-port', String(values['app-three-port'])),
    appFourPort: port('app-four-port', String(values['app-four-port'])),
    dataDir: resolve(String(values['data-dir'])),
    log: pino({ level: values.verbose ? 'info' : 'warn' }),
  });
  // Handlers first: a signal that arrives before them would kill the process uncleanly.
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping…\n');
    await demo.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.stdout.write(`
Sundown single sign-out demo is running.

  Sundown (OpenID Provider)   ${demo.issuer}
  App One (Express)           ${demo.appOne}
  App Two (Hono)              ${demo.appTwo}
  App Three (keycloak-js SPA) ${demo.appThree}
  App Four (SAML, node-saml)  ${demo.appFour}
  Admin console               ${demo.console}

  Demo users: alice / alice-password   bob / bob-password
              carol / carol-password at the "upstream" button (a second realm: ${demo.issuer.replace(/\/demo$/, '/upstream')})
  Console:    ${DEMO_ADMIN.username} / ${DEMO_ADMIN.password}

Try this:
  1. Open App One and sign in as alice.
  2. Open App Two and click "Sign in": you are in without typing a password (single sign-on).
  3. Click "Sign out" in App Two.
  4. Refresh App One: it says "Signed out" (single sign-out, through the back channel).
  5. Sign in on App One again, then open App Three (a single-page app with keycloak-js):
     it is signed in by SSO without a click. Sign out in App One: App Three shows
     "Signed out" within seconds, without a reload (the login-status iframe).
  6. Open App Four (a SAML 2.0 app) and click "Sign in": the same SSO session answers it
     without a password, with a signed SAML Response. Its "Sign out" sends a signed
     SAML LogoutRequest to Sundown.
  7. Open the admin console: Deliveries shows each logout token and its fate;
     Live sessions lets you end a session and watch both apps get told.
  8. Sign out, then sign in on App One with "upstream" on the login page (carol): Sign out
     in App One passes the upstream realm's sign-out too, and the upstream realm's own
     sign-out (its /protocol/openid-connect/logout) reaches the demo's apps.

Press Ctrl-C to stop.
`);
} catch (err) {
  process.stderr.write(`demo: ${explain(err)}\n`);
  process.exit(1);
}

function explain(err: unknown): string {
  if (err instanceof DemoPortError) return err.message.replaceAll('\n', '\ndemo: ');
  if (err instanceof DataDirInUse) {
    return (
      `The data directory ${err.dataDir} is in use by another Sundown server (pid ${err.pid}), probably another \`npm start\`. ` +
      'Stop that one, or give this one its own folder (and ports): ' +
      'npm start -- --data-dir .sundown-2 --port 8081 --app-one-port 4001 --app-two-port 4002 --app-three-port 4003 --app-four-port 4004'
    );
  }
  return `failed to start: ${(err as Error).message}`;
}
