// The project's Python paho gateway (test/fixtures/devices/paho_gateway.py) as a running process: publish JSON on
// its topics, wait for the downlinks it received, and vanish (SIGKILL: no DISCONNECT, the socket just goes).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { MqttLogin } from './device-api.js';

const SCRIPT = join(import.meta.dirname, '..', 'fixtures', 'devices', 'paho_gateway.py');

export interface Downlink {
  topic: string;
  payload: unknown;
}

export interface PahoGateway {
  readonly received: Downlink[];
  connected: Promise<number>;
  /** The first time paho saw its connection end (the platform closed it, or a DISCONNECT). */
  disconnected: Promise<number>;
  publish(topic: string, payload: unknown): void;
  /** The first downlink (not taken before) matching, within the timeout. */
  next(match: (d: Downlink) => boolean, timeoutMs?: number): Promise<Downlink>;
  vanish(): Promise<void>;
  disconnect(): Promise<void>;
}

export function startPahoGateway(port: number, login: MqttLogin): PahoGateway {
  // Debian's interpreter: the python3 first on PATH cannot see python3-paho-mqtt.
  const child = spawn('/usr/bin/python3', [SCRIPT, JSON.stringify({ ...login, port })], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const received: Downlink[] = [];
  const taken = new Set<Downlink>();
  const waiters = new Set<() => void>();
  let connack: (rc: number) => void = () => undefined;
  const connected = new Promise<number>((resolve) => (connack = resolve));
  let ended: (rc: number) => void = () => undefined;
  const disconnected = new Promise<number>((resolve) => (ended = resolve));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as { connack?: number; disconnected?: number; received?: Downlink };
      buffer = buffer.slice(nl + 1);
      if (line.connack !== undefined) connack(line.connack);
      if (line.disconnected !== undefined) ended(line.disconnected);
      if (line.received) {
        received.push(line.received);
        for (const w of [...waiters]) w();
      }
    }
  });
  return {
    received,
    connected,
    disconnected,
    publish(topic, payload) {
      child.stdin.write(`${JSON.stringify({ topic, payload })}\n`);
    },
    next(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find((d) => !taken.has(d) && match(d));
          if (!found) return;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching downlink in ${timeoutMs} ms; got ${JSON.stringify(received)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async vanish() {
      child.kill('SIGKILL');
      await exited;
    },
    async disconnect() {
      child.stdin.write(`${JSON.stringify({ disconnect: true })}\n`);
      await exited;
    },
  };
}
