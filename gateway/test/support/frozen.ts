import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';

export interface FrozenUpstream {
  url: string;
  close(): void;
}

const LISTENER = `require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 },
  function () { process.stdout.write(String(this.address().port)); })`;

/**
 * Opens more connections than a backlog of 1 holds: the kernel completes the first ones into the
 * queue of the stopped process and drops the SYNs of the rest, and of any later connection.
 */
async function fillBacklog(port: number): Promise<Socket[]> {
  const fillers = Array.from({ length: 8 }, () => connect(port, '127.0.0.1'));
  for (const socket of fillers) socket.on('error', () => undefined);
  await new Promise((resolve) => fillers[0]?.once('connect', resolve));
  return fillers;
}

/**
 * An upstream process stopped with SIGSTOP (F06 "frozen"): the kernel still accepts connections
 * into its backlog, but nothing ever answers. With `fullBacklog` the backlog is filled first, so
 * new connections cannot even be established (a host that does not answer SYNs).
 */
export async function startFrozenUpstream({ fullBacklog = false } = {}): Promise<FrozenUpstream> {
  const child: ChildProcess = spawn(process.execPath, ['-e', LISTENER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) =>
    child.stdout?.once('data', (data) => resolve(Number(String(data)))),
  );
  child.kill('SIGSTOP');
  const fillers = fullBacklog ? await fillBacklog(port) : [];
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGKILL');
    },
  };
}
