import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An S3 error response: status and the `<Code>` S3 would send (SlowDown, InternalError …). */
export interface S3Fault {
  status: number;
  code: string;
}

export interface S3Proxy {
  endpoint: string;
  /** GetObject requests seen so far, answered or not. */
  gets: number;
  close(): Promise<void>;
}

/**
 * A local HTTP proxy in front of a real S3 endpoint (s3proxy), so a test can make S3 misbehave:
 * `intercept` sees each GET with its 0-based number and may answer it with a fault, or delay it
 * (it is awaited) before the request is forwarded.
 */
export async function startS3Proxy(
  target: string,
  intercept: (request: IncomingMessage, get: number) => Promise<S3Fault | undefined>,
): Promise<S3Proxy> {
  const upstream = new URL(target);
  const state = { gets: 0 };
  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const fault = incoming.method === 'GET' ? await intercept(incoming, state.gets++) : undefined;
      if (fault) {
        outgoing.writeHead(fault.status, { 'content-type': 'application/xml' });
        outgoing.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>${fault.code}</Message></Error>`,
        );
        return;
      }
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', (error) => outgoing.destroy(error));
      incoming.pipe(forwarded);
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get gets() {
      return state.gets;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
