// The device side of PCP for a simulated meter: answers 19/20/23, asks for shards (21) from the first
// missing one, keeps the shards it has across coverage loss, reports 22 and 24. Faults come from SimOtaFaults.
import type { Clock, TimerHandle } from '../../clock.js';
import type { SimOtaFaults } from '../../contract/simulator-lwm2m.js';
import { decodePcpFrame, encodePcpFrame, looksLikePcp, type PcpMessage } from '../../protocols/pcp/pcp-frame.js';

/** A shard asked this many times without an answer ends the download (PCP 22 result 6). */
export const SHARD_TRIES = 3;

export interface SimPcpDeviceOptions {
  clock: Clock;
  /** Sends bytes up on /19/0/0; false when the device cannot (no coverage, not observed). */
  send(bytes: Uint8Array): boolean;
  softwareVersion(): string;
  setSoftwareVersion(version: string): void;
  faults(): SimOtaFaults;
  loseCoverage(): void;
  log(line: string): void;
  shardWaitMs?: number;
  installMs?: number;
}

interface Download {
  targetVersion: string;
  shardSize: number;
  shardCount: number;
  shards: Map<number, Uint8Array>;
  asking: number | undefined;
  tries: number;
  timer: TimerHandle | undefined;
  done: boolean;
}

export class SimPcpDevice {
  private download: Download | undefined;
  private installTimer: TimerHandle | undefined;

  constructor(private readonly o: SimPcpDeviceOptions) {}

  /** Shards of the current download held. */
  held(): number {
    return this.download?.shards.size ?? 0;
  }

  private send(message: PcpMessage): void {
    this.o.send(encodePcpFrame(message));
  }

  /** A /19/1/0 downlink: true when it was PCP (handled here, not business data). */
  receive(bytes: Uint8Array): boolean {
    if (!looksLikePcp(bytes)) return false;
    const frame = decodePcpFrame(bytes, { sender: 'platform' });
    if (!frame.valid) return false;
    const m = frame.message;
    const faults = this.o.faults();
    if (m.kind === 'request') {
      if (m.code === 19) this.send({ code: 19, kind: 'reply', result: 0, currentVersion: this.o.softwareVersion() });
      if (m.code === 20) this.newVersion(m, faults);
      if (m.code === 23) this.execute(faults);
      return true;
    }
    if (m.code === 21) this.shard(m);
    return true;
  }

  private newVersion(m: PcpMessage, faults: SimOtaFaults): void {
    const result = faults.alreadyLatest ? 3 : faults.busy ? 1 : faults.lowBattery ? 4 : 0;
    this.send({ code: 20, kind: 'reply', result });
    if (result !== 0) return;
    const target = m.targetVersion ?? '';
    const same =
      this.download &&
      this.download.targetVersion === target &&
      this.download.shardSize === m.shardSize &&
      this.download.shardCount === m.shardCount;
    if (!same) {
      this.download?.timer?.cancel();
      this.download = {
        targetVersion: target,
        shardSize: m.shardSize ?? 500,
        shardCount: m.shardCount ?? 0,
        shards: new Map(),
        asking: undefined,
        tries: 0,
        timer: undefined,
        done: false,
      };
    } else {
      this.download!.done = false;
      this.download!.tries = 0;
    }
    this.o.log(`PCP new version ${target}: ${m.shardCount ?? 0} shards`);
    this.askNext();
  }

  /** Asks for the first missing shard (resume), or reports the download when none is missing. */
  askNext(): void {
    const d = this.download;
    if (!d || d.done) return;
    let next = 0;
    while (next < d.shardCount && d.shards.has(next)) next++;
    if (next >= d.shardCount) return this.downloaded();
    const faults = this.o.faults();
    if (faults.offlineAtShard === next && d.asking !== next) {
      d.asking = next;
      this.o.log(`coverage lost at shard ${next}`);
      this.o.loseCoverage();
      return;
    }
    if (d.asking !== next) {
      d.asking = next;
      d.tries = 0;
    }
    this.ask(d, next);
  }

  private ask(d: Download, index: number): void {
    d.tries++;
    d.timer?.cancel();
    this.send({ code: 21, kind: 'request', targetVersion: d.targetVersion, shardIndex: index });
    d.timer = this.o.clock.setTimeout(() => {
      if (d.tries < SHARD_TRIES) return this.ask(d, index);
      d.done = true;
      this.o.log(`shard ${index} never arrived after ${SHARD_TRIES} requests: download timeout`);
      this.send({ code: 22, kind: 'request', result: 6 });
    }, this.o.shardWaitMs ?? 5000);
  }

  private shard(m: PcpMessage): void {
    const d = this.download;
    if (!d || d.done || m.shardIndex === undefined || m.shardIndex !== d.asking) return;
    // Fault: this shard's answer is lost on the way; the device keeps asking until it gives up.
    if (this.o.faults().dropShard === m.shardIndex) return;
    d.timer?.cancel();
    if (m.result !== 0) {
      d.done = true;
      this.send({ code: 22, kind: 'request', result: 6 });
      return;
    }
    d.shards.set(m.shardIndex, Uint8Array.from(Buffer.from(m.shardData ?? '', 'hex')));
    this.askNext();
  }

  private downloaded(): void {
    const d = this.download!;
    d.done = true;
    const failed = this.o.faults().checkFailed;
    this.o.log(failed ? 'package check failed' : `downloaded ${d.shardCount} shards`);
    this.send({ code: 22, kind: 'request', result: failed ? 7 : 0 });
    if (failed) this.download = undefined;
  }

  private execute(faults: SimOtaFaults): void {
    const d = this.download;
    if (!d?.done) {
      this.send({ code: 23, kind: 'reply', result: 1 });
      return;
    }
    this.send({ code: 23, kind: 'reply', result: 0 });
    this.installTimer?.cancel();
    this.installTimer = this.o.clock.setTimeout(() => {
      this.download = undefined;
      if (faults.installFailed) {
        this.send({ code: 24, kind: 'request', result: 0x0a, currentVersion: this.o.softwareVersion() });
        return;
      }
      this.o.setSoftwareVersion(d.targetVersion);
      this.o.log(`software upgraded to ${d.targetVersion}`);
      this.send({ code: 24, kind: 'request', result: 0, currentVersion: d.targetVersion });
    }, this.o.installMs ?? 1000);
  }

  stop(): void {
    this.download?.timer?.cancel();
    this.installTimer?.cancel();
  }
}
