// Kind `ssf_push`: a SET pushed to the receiver (RFC 8935 §2): POST `application/secevent+jwt`,
// the receiver's Authorization header replayed, `202 Accepted` on success. A `400` carries the
// RFC 8935 §2.3 error JSON (`err`, `description`), recorded as the named cause; other answers and
// network failures are classified and retried like every delivery (delivery/retry-policy.ts).
import { payloadOf, type DeliverySender, type OutgoingRequest } from '../channel.ts';
import { signSecurityEventToken } from './security-event-token.ts';
import type { SetPayload } from './event-rows.ts';
import { SET_MEDIA_TYPE } from './ssf-names.ts';

/** RFC 8935 §2.3: `{"err":"invalid_key","description":"…"}` on a 400, as the recorded cause. */
export function pushErrorCause(status: number, body: string): string | null {
  if (status !== 400) return null;
  try {
    const value = JSON.parse(body) as { err?: unknown; description?: unknown };
    if (typeof value.err !== 'string') return null;
    const description = typeof value.description === 'string' ? `: ${value.description.slice(0, 200)}` : '';
    return `HTTP 400 ${value.err.slice(0, 64)}${description}`;
  } catch {
    return null;
  }
}

export const ssfPushSender: DeliverySender = {
  kind: 'ssf_push',
  targetName: 'Shared Signals push endpoint',
  // A push URL is a stream's, not the client's: the doctor has nothing to check per client.
  target: () => null,
  async build(input, d): Promise<OutgoingRequest | null> {
    const p = payloadOf<SetPayload>(d);
    if (!p.claims || !p.url) return null;
    const token = await signSecurityEventToken(input.keys, input.realm.id, p.claims);
    return {
      url: p.url,
      contentType: SET_MEDIA_TYPE,
      body: token,
      headers: { Accept: 'application/json', ...(p.authorization ? { Authorization: p.authorization } : {}) },
      judge(res) {
        const cause = pushErrorCause(res.status, res.body);
        return cause ? { outcome: 'rejected', error: cause } : null;
      },
    };
  },
};
