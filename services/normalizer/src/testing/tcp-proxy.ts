import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The proxy's address with the target's scheme, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The network goes away: connections are refused, open ones are reset. */
  cut(): Promise<void>;
  /** The network comes back, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP forwarder in front of a real server (Elasticsearch), so a test can make the server unreachable
 * and reachable again without touching the server shared by every test.
 */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const listen = async (port: number) => {
    const server = createServer((client) => {
      const remote = connect(Number(upstream.port), upstream.hostname);
      track(client);
      track(remote);
      client.on('error', () => remote.destroy());
      remote.on('error', () => client.destroy());
      client.pipe(remote).pipe(client);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return server;
  };
  let server: Server | undefined = await listen(0);
  const { port } = server.address() as AddressInfo;
  const cut = async () => {
    if (!server) return;
    const closed = once(server, 'close');
    server.close();
    server = undefined;
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: `${upstream.protocol}//127.0.0.1:${port}`,
    cut,
    async restore() {
      server ??= await listen(port);
    },
    close: cut,
  };
}
