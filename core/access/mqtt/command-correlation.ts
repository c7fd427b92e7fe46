// Ties a device's command response to the command it answers: legacy responses carry the 2-byte `mid` the
// platform allocated (§2.4), IoTDA ones the `request_id` of the command topic (§3.2).
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../clock.js';

export interface CommandResponse {
  deviceId: string;
  /** The mid (legacy) or request_id (IoTDA) as text: the id the command was sent with. */
  commandId: string;
  dialect: 'legacy' | 'iotda';
  /** 0 = success (legacy `errcode`, IoTDA `result_code`). */
  resultCode: number;
  responseName?: string;
  body: Record<string, unknown>;
  /** False when no command with this id was waiting (late, duplicate or made up by the device). */
  matched: boolean;
}

interface Pending {
  timer: TimerHandle;
  resolve: (response: CommandResponse | undefined) => void;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

export class CommandCorrelation {
  private readonly pending = new Map<string, Pending>();
  private readonly nextMid = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** The next mid of a device, 1…65535 then round again (the codec convention of §5.1). */
  allocateMid(deviceId: string): number {
    const mid = this.nextMid.get(deviceId) ?? 1;
    this.nextMid.set(deviceId, mid >= 65535 ? 1 : mid + 1);
    return mid;
  }

  allocateRequestId(): string {
    return randomUUID();
  }

  /** Resolves with the device's response, or undefined when none came within the timeout. */
  expect(deviceId: string, commandId: string, timeoutMs: number): Promise<CommandResponse | undefined> {
    const key = `${deviceId}\u0000${commandId}`;
    this.pending.get(key)?.resolve(undefined);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(key, { timer, resolve });
    });
  }

  /** Hands a response to its waiting command; returns it with `matched` set. */
  settle(response: Omit<CommandResponse, 'matched'>): CommandResponse {
    const key = `${response.deviceId}\u0000${response.commandId}`;
    const waiting = this.pending.get(key);
    const settled = { ...response, matched: waiting !== undefined };
    if (waiting) {
      this.pending.delete(key);
      waiting.timer.cancel();
      waiting.resolve(settled);
    }
    return settled;
  }

  /** Stops waiting for one command (it could not be sent): its response promise resolves undefined. */
  cancel(deviceId: string, commandId: string): void {
    const key = `${deviceId}\u0000${commandId}`;
    const waiting = this.pending.get(key);
    if (!waiting) return;
    this.pending.delete(key);
    waiting.timer.cancel();
    waiting.resolve(undefined);
  }

  cancelAll(): void {
    for (const p of this.pending.values()) {
      p.timer.cancel();
      p.resolve(undefined);
    }
    this.pending.clear();
  }
}
