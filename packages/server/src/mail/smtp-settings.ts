// A realm's `smtpServer` as Keycloak's RealmRepresentation writes it: a map of strings (host,
// port, from, fromDisplayName, replyTo, replyToDisplayName, envelopeFrom, ssl, starttls, auth,
// user, password), read by Keycloak's DefaultEmailSenderProvider. An empty map means the realm
// sends no mail. Checked at import, so a realm that names a server always has a usable one.

export interface SmtpSettings {
  host: string;
  /** Keycloak's default: 465 with ssl, else 25. */
  port: number;
  from: string;
  fromDisplayName: string | null;
  replyTo: string | null;
  replyToDisplayName: string | null;
  /** The SMTP envelope's MAIL FROM (bounces), when not `from`. */
  envelopeFrom: string | null;
  /** TLS from the first byte (SMTPS). */
  ssl: boolean;
  /** STARTTLS required after connecting. */
  starttls: boolean;
  auth: { user: string; password: string } | null;
}

/** The keys Keycloak's sender reads; others (debug, allowutf8, timeouts, authType) are accepted. */
const ACCEPTED = new Set([
  'host',
  'port',
  'from',
  'fromDisplayName',
  'replyTo',
  'replyToDisplayName',
  'envelopeFrom',
  'ssl',
  'starttls',
  'auth',
  'user',
  'password',
  'authType',
  'debug',
  'allowutf8',
  'connectionTimeout',
  'timeout',
  'writeTimeout',
]);

export interface SmtpReadResult {
  settings: SmtpSettings | null;
  /** Problems by key (the import stops on them). */
  problems: Array<{ key: string; message: string }>;
  /** Keys given that Sundown does not know. */
  unknown: string[];
}

const MAILBOX = /^[^\s@<>]+@[^\s@<>]+$/;

export function readSmtpSettings(map: Readonly<Record<string, string>>): SmtpReadResult {
  const problems: SmtpReadResult['problems'] = [];
  const unknown = Object.keys(map).filter((k) => !ACCEPTED.has(k));
  const get = (key: string): string | null => {
    const v = map[key];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };
  const flag = (key: string): boolean => {
    const v = get(key);
    if (v === null) return false;
    if (v !== 'true' && v !== 'false') problems.push({ key, message: 'must be "true" or "false"' });
    return v === 'true';
  };
  const host = get('host');
  if (host === null) {
    // Keycloak exports `"smtpServer": {}` for a realm without mail; a map without a host sends nothing.
    const given = Object.keys(map).filter((k) => get(k) !== null);
    if (given.length > 0) problems.push({ key: 'host', message: 'is required when other SMTP settings are given' });
    return { settings: null, problems, unknown };
  }
  const ssl = flag('ssl');
  const starttls = flag('starttls');
  const authOn = flag('auth');
  const portText = get('port');
  let port = ssl ? 465 : 25;
  if (portText !== null) {
    const n = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(n >= 1 && n <= 65535))
      problems.push({ key: 'port', message: `must be a port from 1 to 65535, not "${portText}"` });
    else port = n;
  }
  const from = get('from');
  if (from === null) problems.push({ key: 'from', message: 'is required (the address mail is sent from)' });
  for (const key of ['from', 'replyTo', 'envelopeFrom']) {
    const v = get(key);
    if (v !== null && !MAILBOX.test(v)) problems.push({ key, message: `"${v}" is not an email address` });
  }
  const user = get('user');
  if (authOn && user === null) problems.push({ key: 'user', message: 'is required when auth is "true"' });
  return {
    settings: {
      host,
      port,
      from: from ?? '',
      fromDisplayName: get('fromDisplayName'),
      replyTo: get('replyTo'),
      replyToDisplayName: get('replyToDisplayName'),
      envelopeFrom: get('envelopeFrom'),
      ssl,
      starttls,
      auth: authOn && user !== null ? { user, password: map.password ?? '' } : null,
    },
    problems,
    unknown,
  };
}
