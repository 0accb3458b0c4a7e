// The capabilities this folder offers to the units above it (see docs/architecture.md).
import type { Mailer } from './mailer.ts';

/** A realm's outgoing mail (its SMTP server, or the log in development). */
export interface UsesMailer {
  readonly mailer: Mailer;
}
