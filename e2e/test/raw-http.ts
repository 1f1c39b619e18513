import { connect, type Socket } from 'node:net';

/** Raw TCP to a loopback HTTP server: for clients that misbehave in ways fetch cannot. */
export function rawConnection(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** Resolves true when a TCP connection is refused, false when it is accepted. */
export function refusesConnections(baseUrl: string): Promise<boolean> {
  return rawConnection(baseUrl).then(
    (socket) => {
      socket.destroy();
      return false;
    },
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') return true;
      throw err;
    },
  );
}

export type Ending = 'destroy' | 'reset';

/**
 * Writes `head` and then leaves abruptly: `destroy` closes the socket (FIN), `reset` sends an RST.
 * `after-write` leaves 30 ms after writing; `first-byte` as soon as the response starts.
 */
export async function abandon(
  baseUrl: string,
  head: string,
  how: Ending,
  when: 'after-write' | 'first-byte',
): Promise<void> {
  const socket = await rawConnection(baseUrl);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const leave = (): void => {
    if (how === 'reset') socket.resetAndDestroy();
    else socket.destroy();
  };
  if (when === 'first-byte') socket.once('data', leave);
  socket.write(head);
  if (when === 'after-write') setTimeout(leave, 30);
  await closed;
}

/** Sends `text` as is and collects everything the server sends until it closes (or 5 s pass). */
export async function exchange(baseUrl: string, text: string | Buffer): Promise<string> {
  const socket = await rawConnection(baseUrl);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.setTimeout(5000, () => socket.destroy());
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(text);
  await closed;
  return Buffer.concat(chunks).toString('utf8');
}
