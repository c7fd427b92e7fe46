// The built-in test receiver: a callback endpoint on loopback that records what it is pushed, so a user can
// subscribe and watch pushes before writing any server code. What it received lives in memory only (a ring).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.js';
import type { ReceivedPush, TestReceiver } from '../contract/push.js';

export const RECEIVER_PATH = '/iotwb/test-receiver';
const KEEP = 200;
const MAX_BODY = 1024 * 1024;

export type ReceiverAnswer = TestReceiver['answer'];

export class PushTestReceiver {
  private server: http.Server | undefined;
  private port: number | undefined;
  private answer: ReceiverAnswer = 200;
  private received: ReceivedPush[] = [];
  private nextId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly onReceived: () => void,
  ) {}

  async start(): Promise<void> {
    const server = http.createServer((request, response) => this.handle(request, response));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.port = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  view(): TestReceiver {
    return {
      ...(this.port !== undefined ? { callbackUrl: `http://127.0.0.1:${this.port}${RECEIVER_PATH}` } : {}),
      answer: this.answer,
      received: [...this.received].reverse(),
    };
  }

  configure(change: { answer?: ReceiverAnswer | undefined; clear?: boolean | undefined }): TestReceiver {
    if (change.answer !== undefined) this.answer = change.answer;
    if (change.clear) this.received = [];
    return this.view();
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (request.headers['x-iotwb-probe'] === undefined) this.record(request.url ?? '/', text, this.answer);
      if (this.answer === 'none') return; // never answers: the platform's 15 s limit runs out
      response.writeHead(this.answer, { 'content-type': 'application/json' });
      response.end('{}');
    });
  }

  private record(path: string, text: string, answered: ReceiverAnswer): void {
    let notifyType: string | undefined;
    let deviceId: string | undefined;
    try {
      const body = JSON.parse(text) as { notifyType?: unknown; deviceId?: unknown; header?: { deviceId?: unknown } };
      if (typeof body.notifyType === 'string') notifyType = body.notifyType;
      const id = body.deviceId ?? body.header?.deviceId;
      if (typeof id === 'string') deviceId = id;
    } catch {
      // Not JSON: kept as text.
    }
    this.received.push({
      id: this.nextId++,
      at: new Date(this.clock.now()).toISOString(),
      path,
      ...(notifyType !== undefined ? { notifyType } : {}),
      ...(deviceId !== undefined ? { deviceId } : {}),
      answered,
      body: text.slice(0, 64 * 1024),
    });
    if (this.received.length > KEEP) this.received.splice(0, this.received.length - KEEP);
    this.onReceived();
  }
}
