// What every forwarding target speaks: send a batch and resolve only once the other side accepted all of it.
import type { Clock } from '../../clock.js';
import type { ForwardMessage } from '../../contract/rules.js';

export interface TargetClient {
  /** Resolves when every message was accepted (HTTP 2xx, PUBACK, publisher confirm, Kafka ack, written to disk). */
  send(messages: readonly ForwardMessage[]): Promise<void>;
  /** Whether a connection is open now (file and HTTP targets: whether the last send worked). */
  readonly connected: boolean;
  close(): Promise<void>;
}

/** Fills `{appId}`, `{deviceId}`, `{serviceId}`, `{type}` of a topic or routing-key template. */
export function fillTemplate(template: string, message: ForwardMessage): string {
  return template.replace(/\{(appId|deviceId|serviceId|type)\}/g, (_, name: string) => {
    const value = message[name as 'appId' | 'deviceId' | 'serviceId' | 'type'];
    return value ?? '';
  });
}

/** Rejects with `what timed out` when the promise has not settled in `ms` on the platform clock. */
export function withTimeout<T>(clock: Clock, promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        timer.cancel();
        resolve(v);
      },
      (e: unknown) => {
        timer.cancel();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export const SEND_TIMEOUT_MS = 15_000;
