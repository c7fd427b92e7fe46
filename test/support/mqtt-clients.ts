// Real third-party MQTT device clients for integration tests: mosquitto_pub / mosquitto_sub (-V mqttv311) and the
// project's Python paho device (test/fixtures/devices/paho_device.py, Debian's python3-paho-mqtt 1.6).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { MqttLogin } from './device-api.js';
import { runCommand, type CommandResult } from './run-command.js';

/** The connection and login options every mosquitto client takes. */
export const mosquittoLoginArgs = (port: number, login: MqttLogin, host = '127.0.0.1'): string[] => [
  '-V',
  'mqttv311',
  '-h',
  host,
  '-p',
  String(port),
  '-i',
  login.clientId,
  '-u',
  login.username,
  '-P',
  login.password,
];

/** mosquitto_pub of one QoS 1 message; async so the in-process core keeps answering. */
export function mosquittoPub(port: number, login: MqttLogin, topic: string, message: string): Promise<CommandResult> {
  return runCommand('mosquitto_pub', [...mosquittoLoginArgs(port, login), '-q', '1', '-t', topic, '-m', message], {
    timeoutMs: 10_000,
  });
}

export interface RunningMosquittoSub {
  /** What it printed on stdout so far (the messages). */
  output(): string;
  /** What it printed on stderr so far (warnings, refusals). */
  errors(): string;
  exited: Promise<number | null>;
  stop(): void;
}

/** Starts mosquitto_sub with the login and extra arguments (topics, -C, -W, -v …) and leaves it running. */
export function startMosquittoSub(port: number, login: MqttLogin, args: readonly string[]): RunningMosquittoSub {
  const child = spawn('mosquitto_sub', [...mosquittoLoginArgs(port, login), ...args]);
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { output: () => out, errors: () => err, exited, stop: () => void child.kill() };
}

export const PAHO_DEVICE = join(import.meta.dirname, '..', 'fixtures', 'devices', 'paho_device.py');

export interface PahoOptions {
  /** Subscribes to this filter after CONNACK; the SUBACK's granted codes are reported. */
  subscribe?: string;
  /** Prints `{"ready": true}` once connected (and subscribed), then calls `onReady`. */
  ready?: boolean;
  onReady?: () => void;
  /** Publishes one QoS 1 message: raw bytes (`payloadHex`, repeated `payloadRepeat` times) or a JSON value that
   * Python serialises with json.dumps, as the IoTDA Python SDK does (None becomes null). */
  topic?: string;
  payloadHex?: string;
  payloadRepeat?: number;
  payloadJson?: unknown;
  waitMessage?: boolean;
  waitDisconnect?: boolean;
  waitSeconds?: number;
}

export interface PahoResult {
  connack: number | null;
  published: boolean;
  received: { topic: string; payloadHex: string } | null;
  disconnected: boolean;
  /** The SUBACK return codes (0x80 = refused), when it subscribed. */
  granted: number[] | null;
}

export function runPahoDevice(port: number, login: MqttLogin, options: PahoOptions = {}): Promise<PahoResult> {
  const { onReady, ...args } = options;
  let readyCalled = false;
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [
      PAHO_DEVICE,
      JSON.stringify({ host: '127.0.0.1', port, ...login, ...args }),
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!readyCalled && onReady && out.includes('"ready"')) {
        readyCalled = true;
        onReady();
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as PahoResult);
      } catch {
        reject(new Error(`paho printed ${out}`));
      }
    });
  });
}
