// Sends a realm's mail through its SMTP server (smtp-settings.ts) with nodemailer, as Keycloak's
// DefaultEmailSenderProvider does with its realm's smtpServer. A realm without one either has its
// mail written to the server log — development (`--mail-without-smtp log`), so a reset link can be
// followed without a mail server — or sends none (`refuse`), and the page says which.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Realm } from '../realm/model.ts';
import { readSmtpSettings, type SmtpSettings } from './smtp-settings.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** What a realm's mail does without an SMTP server: logged (development) or not sent. */
export type MailWithoutSmtp = 'log' | 'refuse';

/** How a realm's mail leaves: its SMTP server, the server log, or not at all. */
export type MailRoute = 'smtp' | 'log' | 'none';

export class MailNotSent extends Error {}

export interface MailerOptions {
  withoutSmtp: MailWithoutSmtp;
  log: Logger;
  /** Seconds to wait for the SMTP server's greeting and each answer. */
  timeoutSeconds?: number;
}

/** Connections kept open to one SMTP server: a burst of mail waits for them instead of opening more. */
const MAX_CONNECTIONS = 3;

export class Mailer {
  readonly #options: MailerOptions;
  /** One pooled transport per distinct server settings (a realm's change makes a new one). */
  readonly #transports = new Map<string, Transporter>();
  constructor(options: MailerOptions) {
    this.#options = options;
  }

  #transport(settings: SmtpSettings): Transporter {
    const key = JSON.stringify(settings);
    let transport = this.#transports.get(key);
    if (!transport) {
      transport = nodemailer.createTransport({
        ...transportOptions(settings, this.#options.timeoutSeconds ?? 30),
        pool: true,
        maxConnections: MAX_CONNECTIONS,
      });
      this.#transports.set(key, transport);
    }
    return transport;
  }

  /** Closes the pooled connections (provider shutdown). */
  close(): void {
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
  }

  route(realm: Pick<Realm, 'login'>): MailRoute {
    if (readSmtpSettings(realm.login.smtpServer).settings) return 'smtp';
    return this.#options.withoutSmtp === 'log' ? 'log' : 'none';
  }

  /** Sends one message; MailNotSent when the realm cannot send or its server refused. */
  async send(realm: Pick<Realm, 'name' | 'login'>, message: MailMessage): Promise<void> {
    const settings = readSmtpSettings(realm.login.smtpServer).settings;
    if (!settings) {
      if (this.#options.withoutSmtp === 'refuse')
        throw new MailNotSent(`realm ${realm.name} has no SMTP server (smtpServer)`);
      // Development only (config.ts): the link in the text is what a developer follows.
      this.#options.log.warn(
        { realm: realm.name, to: message.to, subject: message.subject, text: message.text },
        'mail not sent: the realm has no SMTP server; written to the log instead (--mail-without-smtp log)',
      );
      return;
    }
    try {
      await this.#transport(settings).sendMail({
        from: mailbox(settings.from, settings.fromDisplayName),
        ...(settings.replyTo ? { replyTo: mailbox(settings.replyTo, settings.replyToDisplayName) } : {}),
        to: message.to,
        subject: message.subject,
        text: message.text,
        envelope: { from: settings.envelopeFrom ?? settings.from, to: message.to },
      });
    } catch (err) {
      throw new MailNotSent(`realm ${realm.name}: ${(err as Error).message}`);
    }
  }
}

function mailbox(address: string, name: string | null): string | { name: string; address: string } {
  return name ? { name, address } : address;
}

/**
 * Keycloak's JavaMail properties in nodemailer's words: `ssl` is TLS from the first byte,
 * `starttls` requires the upgrade; without either, no upgrade is tried (Keycloak enables
 * STARTTLS only when asked). Certificates are always verified.
 */
function transportOptions(s: SmtpSettings, timeoutSeconds: number) {
  const ms = timeoutSeconds * 1000;
  return {
    host: s.host,
    port: s.port,
    secure: s.ssl,
    requireTLS: s.starttls,
    ignoreTLS: !s.ssl && !s.starttls,
    ...(s.auth ? { auth: { user: s.auth.user, pass: s.auth.password } } : {}),
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
  };
}
