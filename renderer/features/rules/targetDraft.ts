// The forwarding target form's fields and the target configuration they make, for each kind of target.
import type { TargetConfig, TargetKind } from '../../../core/contract/index.js';

export const targetKinds: TargetKind[] = ['http', 'mqtt', 'file', 'amqp', 'kafka'];
export const saslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

export interface TargetFields {
  url: string;
  /** `Name: value` per line. */
  headers: string;
  topic: string;
  qos: 0 | 1 | 2;
  username: string;
  password: string;
  clientId: string;
  dir: string;
  maxMiB: number;
  maxAgeMinutes: number;
  exchange: string;
  routingKey: string;
  queue: string;
  brokers: string;
  sasl: SaslMechanism | 'none';
  /** Kafka: connect with TLS. The other kinds take TLS from the URL's scheme. */
  tls: boolean;
  ca: string;
  verifyServer: boolean;
}

export const emptyTargetFields = (): TargetFields => ({
  url: '',
  headers: '',
  topic: '',
  qos: 1,
  username: '',
  password: '',
  clientId: '',
  dir: 'forwarded',
  maxMiB: 10,
  maxAgeMinutes: 60,
  exchange: '',
  routingKey: '',
  queue: '',
  brokers: '',
  sasl: 'none',
  tls: false,
  ca: '',
  verifyServer: true,
});

/** Whether the target speaks TLS, so its CA and verification settings apply. */
export function usesTls(kind: TargetKind, f: TargetFields): boolean {
  if (kind === 'kafka') return f.tls;
  if (kind === 'file') return false;
  return /^(https|mqtts|amqps):\/\//i.test(f.url.trim());
}

/** `Name: value` lines as headers; lines without a name are left out. */
export function headersOf(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    const name = (colon < 0 ? line : line.slice(0, colon)).trim();
    if (name) headers[name] = colon < 0 ? '' : line.slice(colon + 1).trim();
  }
  return headers;
}

const opt = <K extends string>(key: K, v: string) => (v.trim() ? ({ [key]: v.trim() } as Record<K, string>) : {});

export function targetConfigOf(kind: TargetKind, f: TargetFields): TargetConfig {
  const tls = usesTls(kind, f)
    ? { tls: { ...(f.ca.trim() ? { ca: f.ca.trim() } : {}), rejectUnauthorized: f.verifyServer } }
    : {};
  switch (kind) {
    case 'http':
      return { kind, url: f.url.trim(), headers: headersOf(f.headers), ...tls };
    case 'mqtt':
      return {
        kind,
        url: f.url.trim(),
        topic: f.topic.trim() || 'iotwb/{appId}/{deviceId}',
        qos: f.qos,
        ...opt('username', f.username),
        // A password may rightly start or end with a space.
        ...(f.password ? { password: f.password } : {}),
        ...opt('clientId', f.clientId),
        ...tls,
      };
    case 'file':
      return { kind, dir: f.dir.trim(), maxBytes: Math.round(f.maxMiB * 1024 * 1024), maxAgeMinutes: f.maxAgeMinutes };
    case 'amqp':
      return {
        kind,
        url: f.url.trim(),
        exchange: f.exchange.trim(),
        routingKey: f.routingKey.trim() || 'iotwb.{appId}.{deviceId}',
        ...opt('queue', f.queue),
        ...tls,
      };
    case 'kafka':
      return {
        kind,
        brokers: f.brokers
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
        topic: f.topic.trim() || 'iotwb-data',
        clientId: f.clientId.trim() || 'iot-workbench',
        ...(f.sasl === 'none'
          ? {}
          : { sasl: { mechanism: f.sasl, username: f.username.trim(), password: f.password } }),
        ...tls,
      };
  }
}

/** A URL with its password hidden: the table is for seeing where data goes, not for reading secrets. */
export function withoutPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@/\s]*@/i, '$1:•••@');
}
