// Subject identifiers (RFC 9493) as CAEP session-revoked uses them: a `complex` subject with a
// `user` (`iss_sub` or `email`) and a `session` (`opaque`: the ID token's `sid`).
import { SecurityEventTokenError } from '../errors.ts';

export type SimpleSubject =
  | { format: 'iss_sub'; iss: string; sub: string }
  | { format: 'email'; email: string }
  | { format: 'opaque'; id: string }
  | { format: string; [member: string]: unknown };

export interface ComplexSubject {
  format: 'complex';
  user?: SimpleSubject;
  session?: SimpleSubject;
  [member: string]: unknown;
}

export type SubjectIdentifier = SimpleSubject | ComplexSubject;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `sub_id` (RFC 9493 §3: an object with a string `format`); absent is allowed here. */
export function readSubject(value: unknown): SubjectIdentifier | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || typeof value.format !== 'string')
    throw new SecurityEventTokenError(
      'ERR_SET_SUBJECT_INVALID',
      'invalid_request',
      'The SET sub_id is not a subject identifier',
      {
        claim: 'sub_id',
        actual: value,
      },
    );
  return value as SubjectIdentifier;
}

/** What a session-revoked subject names, in the terms of the session stores. */
export interface RevokedTarget {
  /** The ID token's `sid`, when the subject names one session. */
  sid?: string;
  /** The user's `sub` (from `iss_sub`). */
  sub?: string;
  /** The issuer of `sub` (from `iss_sub`). */
  subIss?: string;
  /** The user's e-mail address (from `email`). */
  email?: string;
}

/**
 * The session and user a subject names: `complex` with `session` (opaque id = `sid`) and/or
 * `user`, or a bare `iss_sub` / `email` / `opaque` subject.
 */
export function revokedTarget(subject: SubjectIdentifier | undefined): RevokedTarget {
  if (!subject) return {};
  if (subject.format === 'complex') {
    const complex = subject as ComplexSubject;
    return { ...simpleTarget(complex.user, 'user'), ...simpleTarget(complex.session, 'session') };
  }
  return simpleTarget(subject as SimpleSubject, 'user');
}

function simpleTarget(subject: SimpleSubject | undefined, role: 'user' | 'session'): RevokedTarget {
  if (!isObject(subject)) return {};
  if (subject.format === 'opaque' && typeof subject.id === 'string' && role === 'session') return { sid: subject.id };
  if (subject.format === 'iss_sub' && typeof subject.iss === 'string' && typeof subject.sub === 'string')
    return { sub: subject.sub, subIss: subject.iss };
  if (subject.format === 'email' && typeof subject.email === 'string') return { email: subject.email };
  return {};
}
