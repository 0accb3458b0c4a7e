// The server's logger as a capability: pino, one JSON line per record, with the request id where
// there is a request.
import type { Logger } from 'pino';

export interface UsesLog {
  readonly log: Logger;
}
