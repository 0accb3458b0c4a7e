// Where an example app listens: its port on 127.0.0.1, or a socket that the demo bound for it
// beforehand (start-demo.ts). The demo writes each app's port into the realm before the app can
// start, so it keeps the socket bound from then on instead of hoping the port stays free.
import type { Server as HttpServer } from 'node:http';
import type { Server as NetServer } from 'node:net';

export interface ListenOptions {
  /** The app's port, used in its URLs. */
  port: number;
  /** A server already listening on `port`, whose socket the app takes over. */
  listener?: NetServer;
}

export function listen(server: HttpServer, o: ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    // node:net takes a listening server as a handle: the socket moves to `server` unclosed.
    if (o.listener) server.listen(o.listener, listening);
    else server.listen(o.port, '127.0.0.1', listening);
  });
}
