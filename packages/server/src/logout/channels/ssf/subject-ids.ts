// Subject identifiers (RFC 9493) as SETs name users and sessions: `iss_sub` (the realm's issuer
// and the user's id, §3.2.5) or `email` (§3.2.2) per the receiver's `ssf.userSubjectFormat`, and
// for a session a `complex` subject (SSF §3.2) of the user and the session, `opaque` with the ID
// token's `sid` — what Keycloak 26.7's transmitter writes for session-revoked.
import type { User } from '../../../realm/model.ts';

export type SubjectId =
  | { format: 'iss_sub'; iss: string; sub: string }
  | { format: 'email'; email: string }
  | { format: 'opaque'; id: string }
  | { format: 'complex'; user: SubjectId; session?: SubjectId };

export type UserSubjectFormat = 'iss_sub' | 'email';

/** The user as the receiver asked to see users; a user without email falls back to iss_sub. */
export function userSubject(format: UserSubjectFormat, issuer: string, user: Pick<User, 'id' | 'email'>): SubjectId {
  if (format === 'email' && user.email) return { format: 'email', email: user.email };
  return { format: 'iss_sub', iss: issuer, sub: user.id };
}

/** A session of a user (CAEP session-revoked): the user and the session's `sid`. */
export function sessionSubject(user: SubjectId, sid: string): SubjectId {
  return { format: 'complex', user, session: { format: 'opaque', id: sid } };
}

/** A stream itself (SSF §8.1.4 verification, §8.1.5 stream-updated). */
export function streamSubject(streamId: string): SubjectId {
  return { format: 'opaque', id: streamId };
}
