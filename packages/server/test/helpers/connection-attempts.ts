// Records every outgoing TCP connection attempt of this process (node:net's diagnostics
// channel), so a test can show that no connection to an address was even tried.
import dc from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

export interface ConnectionAttempts {
  /** `address:port` of every attempt since the recorder started. */
  readonly seen: string[];
  /** Attempts to one of these addresses. */
  to(addresses: string[]): string[];
  stop(): void;
}

export function recordConnectionAttempts(): ConnectionAttempts {
  const seen: string[] = [];
  const onSocket = (message: unknown) => {
    const { socket } = message as { socket: Socket };
    socket.on('connectionAttempt', (ip: string, port: number) => seen.push(`${ip}:${port}`));
  };
  dc.subscribe('net.client.socket', onSocket);
  return {
    seen,
    to: (addresses) => seen.filter((s) => addresses.some((a) => s.startsWith(`${a}:`))),
    stop: () => dc.unsubscribe('net.client.socket', onSocket),
  };
}
