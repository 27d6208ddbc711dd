import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the replay server answered: operation, signing region and JSON input. */
export interface ReplayCall {
  operation: string;
  region: string;
  input: Record<string, unknown>;
}

/** An AWS error as the JSON 1.1 protocol carries it (`__type` names the exception). */
export class ReplayError {
  constructor(
    readonly type: string,
    readonly message: string,
    readonly status = 400,
  ) {}
}

/** Answers one operation with the JSON body CloudTrail would send, or a ReplayError. */
export type ReplayHandler = (input: Record<string, unknown>, region: string) => unknown;

export interface CloudTrailReplay {
  endpoint: string;
  calls: ReplayCall[];
  /** Calls of one operation, e.g. to check that a cache asked only once. */
  callsTo(operation: string): ReplayCall[];
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A local HTTP server speaking the CloudTrail API's JSON 1.1 protocol (operation in
 * X-Amz-Target, region in the SigV4 credential scope), so the real SDK client is tested against
 * recorded response shapes: timestamps as epoch seconds, blobs as base64.
 */
export async function startCloudTrailReplay(handlers: Record<string, ReplayHandler>): Promise<CloudTrailReplay> {
  const calls: ReplayCall[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      // `CloudTrail_20131101.ListPublicKeys` (older SDKs: `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.…`).
      const operation = String(request.headers['x-amz-target'] ?? '')
        .split('.')
        .at(-1)!;
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(request.headers.authorization))?.[1] ?? '';
      const text = await body(request);
      const input = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      calls.push({ operation, region, input });
      const handler = handlers[operation];
      let status = 200;
      let answer: unknown;
      try {
        answer = handler
          ? handler(input, region)
          : new ReplayError('UnknownOperationException', `no replay for ${operation}`);
      } catch (error) {
        answer = new ReplayError('InternalFailure', String(error), 500);
      }
      if (answer instanceof ReplayError) {
        status = answer.status;
        answer = { __type: answer.type, message: answer.message };
      }
      const payload = JSON.stringify(answer ?? {});
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(payload),
        'x-amzn-requestid': `replay-${calls.length}`,
      });
      response.end(payload);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (operation) => calls.filter((call) => call.operation === operation),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
