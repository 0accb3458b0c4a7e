// A real SMTP server on loopback (smtp-server), port 0, for the tests of mail: it keeps every
// message it receives with its envelope, and can require a user name and password.
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeFrom: string;
  to: string[];
  /** Header lines, names lower-cased (unfolded). */
  headers: Record<string, string>;
  /** The body, quoted-printable decoded. */
  text: string;
  /** The user the client authenticated as, if any. */
  user: string | null;
}

export class SmtpPeer {
  readonly mails: ReceivedMail[] = [];
  readonly #server: SMTPServer;
  readonly #waiters: Array<() => void> = [];
  port = 0;

  private constructor(auth: { user: string; password: string } | null) {
    this.#server = new SMTPServer({
      // STARTTLS and TLS are Keycloak settings the realm opts in to; the peer offers plain SMTP.
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: auth === null,
      allowInsecureAuth: true,
      logger: false,
      onAuth(a, _session, callback) {
        if (auth && a.username === auth.user && a.password === auth.password) callback(null, { user: a.username });
        else callback(new Error('Invalid username or password'));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session));
          for (const w of this.#waiters.splice(0)) w();
          callback();
        });
      },
    });
  }

  static async start(auth: { user: string; password: string } | null = null): Promise<SmtpPeer> {
    const peer = new SmtpPeer(auth);
    await new Promise<void>((resolve) => peer.#server.listen(0, '127.0.0.1', resolve));
    peer.port = (peer.#server.server.address() as { port: number }).port;
    return peer;
  }

  /** The next mail to `to` (already received or arriving within the timeout). */
  async mailTo(to: string, after = 0, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.mails.slice(after).find((m) => m.to.includes(to));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

function parseMail(
  raw: string,
  session: { envelope: { mailFrom: false | { address: string }; rcptTo: Array<{ address: string }> }; user?: unknown },
): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (/quoted-printable/i.test(headers['content-transfer-encoding'] ?? ''))
    body = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  else if (/base64/i.test(headers['content-transfer-encoding'] ?? ''))
    body = Buffer.from(body, 'base64').toString('utf8');
  return {
    envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    to: session.envelope.rcptTo.map((r) => r.address),
    headers,
    text: body.replace(/\r\n/g, '\n'),
    user: typeof session.user === 'string' ? session.user : null,
  };
}

/** The first link to `path` in a mail's text. */
export function linkIn(mail: ReceivedMail, path = '/login-actions/action-token'): string {
  const m = new RegExp(`https?://\\S+${path.replace(/[/.-]/g, '\\$&')}\\?key=[A-Za-z0-9._%-]+`).exec(mail.text);
  if (!m) throw new Error(`no ${path} link in:\n${mail.text}`);
  return m[0];
}
