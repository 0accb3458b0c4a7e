// The push endpoint of RFC 8935 over Web-standard Request → Response: a POST of one SET as
// `application/secevent+jwt`, answered 202 when accepted (§2.2) and 400 with
// `{"err", "description"}` when not (§2.3). The Express and Fastify adapters feed it parsed parts.
import { readBodyLimited } from '../read-body-limited.ts';
import { SecurityEventTokenError, TemporarilyUnavailableError } from '../errors.ts';
import {
  createSecurityEventReceiver,
  type SecurityEventReceiver,
  type SecurityEventReceiverOptions,
} from './receiver.ts';

export interface SetPushOptions extends SecurityEventReceiverOptions {
  /**
   * The stream's `authorization_header` (SSF 1.0 §8.1.1: the transmitter sends it verbatim as
   * `Authorization`); requests without it exactly are refused. Strongly recommended.
   */
  authorizationHeader?: string;
  /** Largest accepted body in bytes (default 64 KiB; a SET is ~1 KiB). */
  maxBodyBytes?: number;
  /** Seconds a transmitter should wait before retrying when the store or the keys are down (default 5). */
  retryAfterSeconds?: number;
  /** Called with every refused or failed request, for logging. */
  onError?: (error: Error) => void;
}

/** One push request, taken apart by whichever framework received it. */
export interface PushRequestParts {
  method: string;
  contentType: string | undefined;
  authorization: string | undefined;
  /** The body as text, or null when larger than the limit. */
  body: string | null;
}

export const DEFAULT_PUSH_BODY_LIMIT = 64 * 1024;
const HEADERS = { 'Cache-Control': 'no-store' } as const;

/** RFC 8935 §2.3: the error response, `{"err": code, "description": text}` with 400. */
export function setErrorResponse(err: SecurityEventTokenError['err'], description: string): Response {
  return Response.json({ err, description }, { status: 400, headers: HEADERS });
}

function sameSecret(a: string, b: string): boolean {
  // Constant time in the length of the expected value: no early exit on the first difference.
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i) || 0) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Answers one push request already taken apart; see createSetPushHandler. */
export type PushPartsHandler = (parts: PushRequestParts) => Promise<Response>;

/** The request checks and the answer of RFC 8935 §2, around a receiver. Create once. */
export function createPushPartsHandler(options: SetPushOptions, receiver?: SecurityEventReceiver): PushPartsHandler {
  const receive = receiver ?? createSecurityEventReceiver(options);
  const limit = options.maxBodyBytes ?? DEFAULT_PUSH_BODY_LIMIT;
  return async (parts) => {
    if (parts.method !== 'POST') return new Response(null, { status: 405, headers: { ...HEADERS, Allow: 'POST' } });
    let refusal: SecurityEventTokenError | undefined;
    if (
      options.authorizationHeader !== undefined &&
      !sameSecret(parts.authorization ?? '', options.authorizationHeader)
    )
      refusal = new SecurityEventTokenError(
        'ERR_SET_AUTHENTICATION_FAILED',
        'authentication_failed',
        'The Authorization header is not the one this stream was given',
      );
    else if ((parts.contentType ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/secevent+jwt')
      refusal = new SecurityEventTokenError(
        'ERR_SET_BODY_INVALID',
        'invalid_request',
        'Content-Type must be application/secevent+jwt',
      );
    else if (parts.body === null)
      refusal = new SecurityEventTokenError(
        'ERR_SET_BODY_INVALID',
        'invalid_request',
        `Request body larger than ${limit} bytes`,
      );
    if (refusal) {
      options.onError?.(refusal);
      return setErrorResponse(refusal.err, refusal.message);
    }
    try {
      await receive(parts.body!.trim());
      return new Response(null, { status: 202, headers: HEADERS }); // RFC 8935 §2.2
    } catch (err) {
      options.onError?.(err as Error);
      if (err instanceof SecurityEventTokenError) return setErrorResponse(err.err, err.message);
      // Keys or store unreachable: a 5xx makes the transmitter retry the same SET later.
      const retryAfter = String(
        (err instanceof TemporarilyUnavailableError ? err.retryAfterSeconds : undefined) ??
          options.retryAfterSeconds ??
          5,
      );
      return Response.json(
        { err: 'temporarily_unavailable', description: 'The event could not be recorded; retry later' },
        { status: 503, headers: { ...HEADERS, 'Retry-After': retryAfter } },
      );
    }
  };
}

/**
 * The RFC 8935 push endpoint as a Web handler (Next.js route handlers, Hono, Bun, Deno). Register
 * its URL as the stream's `delivery.endpoint_url` (see registerStream).
 *
 * @example
 * export const POST = createSetPushHandler({ issuer, audience: 'my-app', keys: new URL(jwksUri), store, authorizationHeader: 'Bearer s3cret' });
 */
export function createSetPushHandler(options: SetPushOptions): (req: Request) => Promise<Response> {
  const handle = createPushPartsHandler(options);
  const limit = options.maxBodyBytes ?? DEFAULT_PUSH_BODY_LIMIT;
  return async (req) =>
    handle({
      method: req.method,
      contentType: req.headers.get('content-type') ?? undefined,
      authorization: req.headers.get('authorization') ?? undefined,
      body: req.method === 'POST' ? await readBodyLimited(req, limit) : '',
    });
}
