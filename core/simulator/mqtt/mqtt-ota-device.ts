// The `$ota` side of a virtual MQTT device (IoTDA, §3.3), as the device SDKs do it: version_query → version_report;
// firmware_upgrade / software_upgrade → download the file over HTTP(S) with the Bearer token (Range to resume what
// it holds), SHA-256 compared with `sign`, upgrade_progress_report, then the new version. The faults are those of
// the LwM2M simulator where they apply; a "shard" of an HTTP download is SHARD_BYTES of the file.
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import type { SimOtaFaults } from '../../contract/simulator-lwm2m.js';

export const SHARD_BYTES = 1024;
/** How long a device that went offline mid-download stays away (injected clock) before it reconnects. */
export const OFFLINE_MS = 30_000;
/** Attempts at a shard that never arrives before the device reports a download timeout. */
const SHARD_ATTEMPTS = 3;

/** §3.3 result codes the simulated device answers with. */
const RESULT = {
  success: 0,
  busy: 1,
  alreadyLatest: 3,
  lowBattery: 4,
  downloadTimeout: 6,
  checkFailed: 7,
  installFailed: 10,
} as const;

const upgradeParasSchema = z.object({
  version: z.string().min(1).max(64),
  url: z.url({ protocol: /^https?$/ }),
  file_size: z.number().int().min(0),
  access_token: z.string().max(512).nullish(),
  sign: z.string().max(128).nullish(),
});

export interface MqttOtaDeviceOptions {
  firmwareVersion: string;
  softwareVersion: string;
  faults: SimOtaFaults;
  /** Publishes a `$ota` event on the device's events/up topic. */
  report(eventType: string, paras: Record<string, unknown>): void;
  /** Drops the MQTT session; `back` is called once it has reconnected. */
  goOffline(ms: number, back: () => void): void;
}

export class MqttOtaDevice {
  firmwareVersion: string;
  softwareVersion: string;
  faults: SimOtaFaults;
  /** Bytes of the current download the device holds (kept across a drop, for the Range resume). */
  private held: Buffer[] = [];
  private heldFor: string | undefined;
  private heldBytes = 0;
  private busy = false;
  private wentOffline = false;

  constructor(private readonly options: MqttOtaDeviceOptions) {
    this.firmwareVersion = options.firmwareVersion;
    this.softwareVersion = options.softwareVersion;
    this.faults = options.faults;
  }

  /** The HTTP statuses of the last download's requests (200, then 206 for each Range resume). */
  statuses: number[] = [];

  get bytesHeld(): number {
    return this.heldBytes;
  }

  /** One `$ota` service entry of an events/down message. */
  handle(eventType: unknown, paras: unknown): void {
    if (eventType === 'version_query') {
      this.options.report('version_report', { fw_version: this.firmwareVersion, sw_version: this.softwareVersion });
      return;
    }
    if (eventType !== 'firmware_upgrade' && eventType !== 'software_upgrade') return;
    const parsed = upgradeParasSchema.safeParse(paras);
    if (!parsed.success) return this.result(RESULT.downloadTimeout, 'the upgrade request could not be read');
    const f = this.faults;
    if (this.busy || f.busy) return this.result(RESULT.busy, 'the device is busy');
    if (f.alreadyLatest) return this.result(RESULT.alreadyLatest, 'already the latest version');
    if (f.lowBattery) return this.result(RESULT.lowBattery, 'battery too low to upgrade');
    this.busy = true;
    void this.download(eventType === 'firmware_upgrade' ? 'firmware' : 'software', parsed.data).finally(() => {
      this.busy = false;
    });
  }

  private result(code: number, description: string, version: string | null = null, progress = 0): void {
    this.options.report('upgrade_progress_report', { result_code: code, progress, version, description });
  }

  private resetHeld(): void {
    this.held = [];
    this.heldBytes = 0;
  }

  private async download(kind: 'firmware' | 'software', p: z.infer<typeof upgradeParasSchema>): Promise<void> {
    // Another file starts over; the same one (a retry, a fresh token after a restart) resumes from what is held.
    if (this.heldFor !== p.url || this.heldBytes > p.file_size) this.resetHeld();
    this.heldFor = p.url;
    this.statuses = [];
    let attempts = 0;
    let reported = 0;
    while (this.heldBytes < p.file_size) {
      const stopAt = this.stopAt(p.file_size);
      const before = this.heldBytes;
      const outcome = await this.fetchFrom(p, stopAt, (held) => {
        const quarter = Math.floor((held / Math.max(1, p.file_size)) * 4) * 25;
        if (quarter > reported && quarter < 100) {
          reported = quarter;
          this.result(RESULT.success, `downloaded ${held} of ${p.file_size} bytes`, null, quarter);
        }
      });
      if (outcome.error) return this.result(RESULT.downloadTimeout, outcome.error);
      if (!stopAt || this.heldBytes < stopAt.at) {
        if (this.heldBytes > before) continue;
        return this.result(RESULT.downloadTimeout, `the download ended at ${before} of ${p.file_size} bytes`);
      }
      if (stopAt.why === 'offline') {
        this.wentOffline = true;
        await new Promise<void>((resolve) => this.options.goOffline(OFFLINE_MS, resolve));
        continue;
      }
      if (++attempts < SHARD_ATTEMPTS) continue;
      const shard = this.faults.dropShard ?? 0;
      return this.result(RESULT.downloadTimeout, `shard ${shard} (bytes from ${shard * SHARD_BYTES}) never arrived`);
    }
    const file = Buffer.concat(this.held);
    this.resetHeld();
    const digest = createHash('sha256')
      .update(this.faults.checkFailed ? Buffer.concat([file, Buffer.from([0])]) : file)
      .digest('hex');
    if (p.sign && digest !== p.sign.toLowerCase()) {
      return this.result(RESULT.checkFailed, `sha256 ${digest} does not match the sign`);
    }
    if (this.faults.installFailed) return this.result(RESULT.installFailed, 'the install failed', null, 100);
    if (kind === 'firmware') this.firmwareVersion = p.version;
    else this.softwareVersion = p.version;
    this.result(RESULT.success, 'upgraded', p.version, 100);
  }

  /** Where a fault stops this attempt: the dropped shard every time, the offline point once. */
  private stopAt(size: number): { at: number; why: 'drop' | 'offline' } | undefined {
    const f = this.faults;
    const drop = f.dropShard === undefined ? undefined : f.dropShard * SHARD_BYTES;
    const offline = f.offlineAtShard === undefined || this.wentOffline ? undefined : f.offlineAtShard * SHARD_BYTES;
    const candidates = [
      ...(drop !== undefined && drop < size && drop >= this.heldBytes ? [{ at: drop, why: 'drop' as const }] : []),
      ...(offline !== undefined && offline < size && offline >= this.heldBytes
        ? [{ at: offline, why: 'offline' as const }]
        : []),
    ];
    return candidates.sort((a, b) => a.at - b.at)[0];
  }

  /** One GET from the bytes held (Range), keeping what arrives up to `stopAt`. */
  private fetchFrom(
    p: z.infer<typeof upgradeParasSchema>,
    stopAt: { at: number } | undefined,
    onHeld: (held: number) => void,
  ): Promise<{ error?: string }> {
    const url = new URL(p.url);
    const headers: Record<string, string> = {};
    if (p.access_token) headers.authorization = `Bearer ${p.access_token}`;
    if (this.heldBytes > 0) headers.range = `bytes=${this.heldBytes}-`;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = request(url, { headers, timeout: 15_000 }, (res: IncomingMessage) => {
        const expected = this.heldBytes > 0 ? 206 : 200;
        this.statuses.push(res.statusCode ?? 0);
        if (res.statusCode !== expected) {
          res.resume();
          resolve({ error: `the download answered HTTP ${res.statusCode ?? 0}` });
          return;
        }
        res.on('data', (data: Buffer) => {
          const kept = this.take(data, stopAt);
          if (kept) {
            this.held.push(kept);
            this.heldBytes += kept.length;
            onHeld(this.heldBytes);
          }
          if (stopAt && this.heldBytes >= stopAt.at) {
            req.destroy();
            resolve({});
          }
        });
        res.on('end', () => resolve({}));
        res.on('error', () => resolve({}));
      });
      req.on('timeout', () => req.destroy(new Error('the download timed out')));
      req.on('error', (e) => resolve(stopAt && this.heldBytes >= stopAt.at ? {} : { error: e.message }));
      req.end();
    });
  }

  /** The part of `data` the device keeps: nothing past the fault's stop point. */
  private take(data: Buffer, stopAt: { at: number } | undefined): Buffer | undefined {
    if (!stopAt) return data;
    const room = stopAt.at - this.heldBytes;
    if (room <= 0) return undefined;
    return room >= data.length ? data : data.subarray(0, room);
  }
}
