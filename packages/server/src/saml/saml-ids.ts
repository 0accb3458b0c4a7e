// Identifiers and instants of outbound messages. Core §1.3.4: IDs must be unique with a
// probability of a random 128-bit value or better, and are xs:ID, so they start with a letter
// or underscore (NCName). SessionIndex (Core §2.7.2) is unguessable too: it lets whoever knows
// it ask for a session to end (saml.md §8.8).
import { randomBytes } from 'node:crypto';

/** A message or assertion ID: `_` and 160 random bits in hex. */
export function newSamlId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

/** An AuthnStatement SessionIndex: 256 random bits, base64url. */
export function newSessionIndex(): string {
  return `s_${randomBytes(32).toString('base64url')}`;
}

/** Core §1.3.3: xs:dateTime in UTC with `Z`. Milliseconds kept, as Keycloak does. */
export function samlInstant(ms: number): string {
  return new Date(ms).toISOString();
}
