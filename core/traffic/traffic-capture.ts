// The capture: every `frame` bus event into a bounded ring (O(1) for the publisher), decoded lazily,
// summarised to the live view in batches, optionally appended to a pcapng file in the data folder.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { EventBus } from '../bus/event-bus.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { BusEventMap } from '../contract/events.js';
import type {
  TrafficCodecDecode,
  TrafficFrameDetail,
  TrafficFrameSummary,
  TrafficLayer,
  TrafficStats,
} from '../contract/traffic.js';
import {
  CodecDecodeCache,
  codecDecodeOf,
  codecLayer,
  codecValues,
  isCodecPayload,
  type CodecOutcome,
  type CodecResolver,
} from './codec-layer.js';
import { parseCoapMessage, type CoapMessage } from './decode/coap-layer.js';
import { decodeFrame, type CapturedFrame, type DecodeEnv, type PayloadRef } from './decode/frame-decoder.js';
import { field, type FieldValues } from './decode/layer-types.js';
import { evaluateFilter } from './filter/filter-eval.js';
import { parseFilter, type FilterNode } from './filter/filter-parser.js';
import { FrameStore, type StoredFrame } from './frame-store.js';
import type { Lwm2mDefinitions } from '../protocols/lwm2m/lwm2m-definitions.js';
import { PcapngWriter } from './pcapng-writer.js';

export const DEFAULT_CAPACITY = 100_000;
/** Bytes kept for the captured frames; the oldest frames go when either limit is reached. */
export const DEFAULT_BUFFER_BYTES = 64 * 1024 * 1024;
/** Most summaries sent to the live view per flush; the rest are counted as not shown. */
const LIVE_BATCH_MAX = 150;
const LIVE_FLUSH_MS = 50;
/** Frames searched back for a CoAP request the index does not know (token reused, index full). */
const COAP_REQUEST_LOOKBACK = 64;
const COAP_REQUEST_INDEX_MAX = 20_000;
/** Codec decodes started ahead of a request (for frames sent to the live view); the rest decode on demand. */
const CODEC_QUEUE_MAX = 1000;
/** At most this many per flush (500/s): under a flood the codec's workers stay free for device handling. */
const CODEC_EAGER_PER_FLUSH = 25;
const CODEC_IN_FLIGHT = 4;
/** How long a frame's detail waits for its codec decode before answering "pending". */
const CODEC_DETAIL_WAIT_MS = 2000;

type FrameEvent = BusEventMap['frame'];

interface Brief {
  protocol: string;
  summary: string;
  error?: string;
  values: FieldValues;
  payloadRef?: PayloadRef;
}

export interface TrafficCaptureOptions {
  bus: EventBus;
  clock: Clock;
  dataDir: string;
  lwm2m: Lwm2mDefinitions;
  capacity?: number;
  bufferBytes?: number;
  onError?: (message: string, error: unknown) => void;
  /** The command a device's downlink frame carried, found by its payload bytes (hex); for the command layer. */
  downlinks?: (deviceId: string, payloadHex: string) => TrafficDownlink | undefined;
}

/** A command as the traffic view shows it on the downlink frame that carried it. */
export interface TrafficDownlink {
  commandId: string;
  serviceId: string;
  method: string;
  paras: Record<string, unknown>;
  mid?: number;
  requestId?: string;
  attempt?: number;
  /** True when the product's codec made the bytes from the command's JSON. */
  codec: boolean;
}

export interface ListOptions {
  filter?: FilterNode;
  limit: number;
  before?: number;
  after?: number;
}

/** MQTT protocol level of a CONNECT packet (4 = 3.1.1, 5), read from its first bytes. */
function connectLevel(head: Buffer): number | undefined {
  if (head[0] !== 0x10) return undefined;
  let i = 1;
  while (i < 5 && (head[i] ?? 0) & 0x80) i++;
  i++;
  const nameLength = ((head[i] ?? 0) << 8) | (head[i + 1] ?? 0);
  return head[i + 2 + nameLength];
}

function readsDecoded(node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return readsDecoded(node.left) || readsDecoded(node.right);
    case 'not':
      return readsDecoded(node.operand);
    default:
      return node.field.startsWith('decoded.');
  }
}

export class TrafficCapture {
  private store: FrameStore<Brief>;
  private captured = 0;
  private readonly coapRequests = new Map<string, number>();
  /** Newest seq already sent to the live view and the capture file. */
  private flushedSeq = 0;
  private flushTimer: TimerHandle | undefined;
  private readonly mqttVersions = new Map<string, number>();
  private pcpSupport: ((deviceId: string | undefined) => boolean | undefined) | undefined;
  private file: { stream: WriteStream; path: string; bytes: number; writer: PcapngWriter } | undefined;
  private unsubscribe: (() => void) | undefined;
  private decodeEnv: DecodeEnv | undefined;
  private codec: CodecDecodeCache | undefined;
  private readonly codecOutcomes = new Map<number, CodecOutcome>();
  private readonly codecPending = new Map<number, { state: TrafficCodecDecode; done: Promise<void> }>();
  private codecQueue: number[] = [];
  private codecInFlight = 0;

  constructor(private readonly options: TrafficCaptureOptions) {
    this.store = new FrameStore(options.capacity ?? DEFAULT_CAPACITY, options.bufferBytes ?? DEFAULT_BUFFER_BYTES);
  }

  start(): void {
    this.unsubscribe ??= this.options.bus.subscribe('frame', (event) => this.ingest(event));
  }

  /** Stops or restarts recording frames; what is in the buffer stays. */
  setCapturing(capturing: boolean): void {
    if (capturing) return this.start();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.flush();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.flush();
    this.flushTimer?.cancel();
    await this.setCaptureToFile(false);
  }

  /** Devices' products and codecs, for the codec layer (decoded after capture, off the device's path). */
  setCodecResolver(resolver: CodecResolver | undefined): void {
    this.codec = resolver ? new CodecDecodeCache(resolver) : undefined;
    this.codecQueue = [];
  }

  /** R-15.5's product check; undefined answers mean "not known", decoded as PCP when the bytes say so. */
  setPcpSupport(check: ((deviceId: string | undefined) => boolean | undefined) | undefined): void {
    this.pcpSupport = check;
    this.decodeEnv = undefined;
  }

  /** The bus listener: constant work, no decoding, no object kept per frame; never throws into the publisher. */
  ingest(event: FrameEvent): void {
    const timeUs = event.timeUs ?? Math.round(event.at * 1000);
    let mqttVersion: number | undefined;
    if (event.protocol === 'mqtt') {
      const key = event.connectionId ?? `${event.local}|${event.peer}`;
      // 'E' is the first base64 letter of 0x10-0x13: only CONNECT packets pay for a look inside.
      if (event.bytesBase64.startsWith('E') && event.direction === 'in') {
        const level = connectLevel(Buffer.from(event.bytesBase64.slice(0, 24), 'base64'));
        if (level !== undefined) {
          if (this.mqttVersions.size > 10_000) this.mqttVersions.delete(this.mqttVersions.keys().next().value!);
          this.mqttVersions.set(key, level);
        }
      }
      mqttVersion = this.mqttVersions.get(key);
    }
    this.captured++;
    this.store.push(event, timeUs, event.bytesBase64, mqttVersion);
    if (event.protocol === 'coap') this.indexCoapRequest(event);
    this.flushTimer ??= this.options.clock.setTimeout(() => this.flush(), LIVE_FLUSH_MS);
  }

  /** Sends the live summaries and appends to the capture file. */
  flush(): void {
    this.flushTimer = undefined;
    const newest = this.store.newestSeq;
    if (newest === undefined || newest <= this.flushedSeq) return;
    const first = Math.max(this.flushedSeq + 1, this.store.oldestSeq!);
    const arrived = newest - this.flushedSeq;
    this.flushedSeq = newest;
    if (this.file) {
      const chunks: Buffer[] = [];
      for (const seq of this.store.seqs(first, 1))
        chunks.push(this.file.writer.packet(this.pcapngPacket(this.store.get(seq)!)));
      const data = Buffer.concat(chunks);
      this.file.bytes += data.length;
      this.file.stream.write(data);
    }
    // Summaries cost a decode each: built only while a live view (or another listener) is there to read them.
    if (!this.options.bus.hasListeners('traffic')) return;
    const frames: TrafficFrameSummary[] = [];
    let eager = 0;
    for (const seq of this.store.seqs(Math.max(first, newest - LIVE_BATCH_MAX + 1), 1)) {
      try {
        const summary = this.summary(this.store.get(seq)!);
        frames.push(summary);
        if (
          this.codec &&
          summary.deviceId &&
          summary.direction === 'in' &&
          eager < CODEC_EAGER_PER_FLUSH &&
          this.codecQueue.length < CODEC_QUEUE_MAX
        ) {
          eager++;
          this.codecQueue.push(seq);
        }
      } catch (error) {
        this.options.onError?.(`decoding frame ${seq} failed`, error);
      }
    }
    this.pruneCodecOutcomes();
    this.pumpCodecQueue();
    this.options.bus.publish('traffic', { at: this.options.clock.now(), frames, notShown: arrived - frames.length });
  }

  stats(): TrafficStats {
    return {
      capturing: this.unsubscribe !== undefined,
      capacity: this.store.capacity,
      stored: this.store.size,
      captured: this.captured,
      dropped: this.store.evicted,
      ...(this.store.size ? { oldestSeq: this.store.oldestSeq!, newestSeq: this.store.newestSeq! } : {}),
      captureFile: {
        enabled: this.file !== undefined,
        ...(this.file ? { path: this.file.path } : {}),
        bytes: this.file?.bytes ?? 0,
      },
    };
  }

  clear(): void {
    this.codecOutcomes.clear();
    this.coapRequests.clear();
    this.codecQueue = [];
    this.store.clear();
    this.flushedSeq = this.store.nextSeq - 1;
    this.captured = 0;
  }

  setCapacity(capacity: number): void {
    if (capacity !== this.store.capacity) this.store.resize(capacity);
  }

  async setCaptureToFile(enabled: boolean): Promise<void> {
    if (enabled && !this.file) {
      const dir = join(this.options.dataDir, 'traffic');
      mkdirSync(dir, { recursive: true });
      const stamp = new Date(this.options.clock.now()).toISOString().replace(/[:.]/g, '-');
      const path = join(dir, `capture-${stamp}.pcapng`);
      const writer = new PcapngWriter();
      const stream = createWriteStream(path);
      stream.on('error', (error) => this.options.onError?.(`writing ${path} failed`, error));
      const header = writer.header();
      stream.write(header);
      this.file = { stream, path, bytes: header.length, writer };
    } else if (!enabled && this.file) {
      const { stream } = this.file;
      this.file = undefined;
      await new Promise<void>((resolve) => stream.end(resolve));
    }
  }

  list(options: ListOptions): { frames: TrafficFrameSummary[]; olderCursor?: number; newerCursor?: number } {
    const frames: TrafficFrameSummary[] = [];
    const newest = this.store.newestSeq;
    const oldest = this.store.oldestSeq;
    if (newest === undefined || oldest === undefined) return { frames };
    if (options.after !== undefined) {
      let last = options.after;
      for (const seq of this.store.seqs(options.after + 1, 1)) {
        last = seq;
        const f = this.store.get(seq)!;
        if (this.matches(f, options.filter)) frames.push(this.summary(f));
        if (frames.length >= options.limit) break;
      }
      return {
        frames,
        newerCursor: Math.max(last, options.after),
        ...(frames[0] ? { olderCursor: frames[0].seq } : {}),
      };
    }
    const from = options.before !== undefined ? options.before - 1 : newest;
    let lastScanned = from + 1;
    for (const seq of this.store.seqs(from, -1)) {
      lastScanned = seq;
      const f = this.store.get(seq)!;
      if (this.matches(f, options.filter)) frames.push(this.summary(f));
      if (frames.length >= options.limit) break;
    }
    frames.reverse();
    const olderCursor = lastScanned > oldest ? lastScanned : undefined;
    return {
      frames,
      ...(olderCursor !== undefined ? { olderCursor } : {}),
      newerCursor: options.before !== undefined ? (frames.at(-1)?.seq ?? from) : newest,
    };
  }

  detail(seq: number): TrafficFrameDetail | undefined {
    const f = this.store.get(seq);
    if (!f) return undefined;
    const decoded = decodeFrame(f, this.env());
    const outcome = this.codecOutcomes.get(seq);
    const codec = outcome ? codecDecodeOf(outcome) : this.codecPending.get(seq)?.state;
    const fromCodec = outcome?.result.ok ? outcome.result.message : undefined;
    return {
      ...this.summary(f),
      ...(f.connectionId ? { connectionId: f.connectionId } : {}),
      bytesBase64: Buffer.from(f.bytes).toString('base64'),
      layers: [
        ...decoded.layers,
        ...(outcome ? [codecLayer(outcome)] : []),
        ...this.downlinkLayers(f, decoded.payloadRef),
      ],
      ...(fromCodec !== undefined ? { decoded: fromCodec } : {}),
      ...(codec ? { codec } : {}),
    };
  }

  /** A downlink frame that carried a command: which one, and whether the codec encoded it. */
  private downlinkLayers(f: CapturedFrame, ref: PayloadRef | undefined): TrafficLayer[] {
    if (f.direction !== 'out' || !f.deviceId || !ref || !this.options.downlinks || ref.length === 0) return [];
    if (ref.offset + ref.length > f.bytes.length) return [];
    const hex = Buffer.from(f.bytes.subarray(ref.offset, ref.offset + ref.length)).toString('hex');
    let sent: TrafficDownlink | undefined;
    try {
      sent = this.options.downlinks(f.deviceId, hex);
    } catch (error) {
      this.options.onError?.('the command of a downlink frame could not be looked up', error);
    }
    if (!sent) return [];
    const at = { offset: ref.offset, length: ref.length };
    return [
      {
        id: 'codec',
        title: sent.codec
          ? `Codec encode: ${sent.serviceId}.${sent.method}`
          : `Command ${sent.serviceId}.${sent.method}`,
        fields: [
          field('command.id', 'Command', sent.commandId),
          field('command.method', 'Service and command', `${sent.serviceId}.${sent.method}`),
          field('command.paras', 'Paras', JSON.stringify(sent.paras), at),
          ...(sent.mid !== undefined ? [field('command.mid', 'mid', String(sent.mid))] : []),
          ...(sent.requestId !== undefined ? [field('command.requestId', 'request_id', sent.requestId)] : []),
          ...(sent.attempt !== undefined ? [field('command.attempt', 'Attempt', String(sent.attempt))] : []),
          field('command.encoding', 'Bytes', sent.codec ? `${ref.length} bytes from the codec` : 'JSON', at),
        ],
      },
    ];
  }

  /** The frame's detail once its codec decode is done (waiting a bounded time; after that it says pending). */
  async decodedDetail(seq: number): Promise<TrafficFrameDetail | undefined> {
    const running = this.startCodec(seq);
    if (running) {
      let timer: TimerHandle | undefined;
      await Promise.race([
        running,
        new Promise<void>((resolve) => (timer = this.options.clock.setTimeout(resolve, CODEC_DETAIL_WAIT_MS))),
      ]);
      timer?.cancel();
    }
    return this.detail(seq);
  }

  /** `list`, after codec-decoding the frames it may scan when the filter reads `decoded.*` fields. */
  async listDecoded(options: ListOptions): Promise<ReturnType<TrafficCapture['list']>> {
    if (this.codec && options.filter && readsDecoded(options.filter)) {
      const seqs =
        options.after !== undefined
          ? this.store.seqs(options.after + 1, 1)
          : this.store.seqs(options.before !== undefined ? options.before - 1 : Number.MAX_SAFE_INTEGER, -1);
      let batch: Promise<void>[] = [];
      for (const seq of seqs) {
        const running = this.startCodec(seq);
        if (running) batch.push(running);
        if (batch.length >= 64) {
          await Promise.all(batch);
          batch = [];
        }
      }
      await Promise.all(batch);
    }
    return this.list(options);
  }

  /** Frames matching a filter, oldest first. */
  *select(filter: FilterNode | undefined): Generator<StoredFrame> {
    for (const seq of this.store.seqs(0, 1)) {
      const f = this.store.get(seq)!;
      if (this.matches(f, filter)) yield f;
    }
  }

  exportPcapng(filter: FilterNode | undefined): { content: Buffer; frames: number } {
    const writer = new PcapngWriter();
    const chunks = [writer.header()];
    let frames = 0;
    for (const stored of this.select(filter)) {
      chunks.push(writer.packet(this.pcapngPacket(stored)));
      frames++;
    }
    return { content: Buffer.concat(chunks), frames };
  }

  exportJson(filter: FilterNode | undefined): { content: Buffer; frames: number } {
    const out: TrafficFrameDetail[] = [];
    for (const stored of this.select(filter)) {
      const d = this.detail(stored.seq);
      if (d) out.push(d);
    }
    return { content: Buffer.from(JSON.stringify({ frames: out }, null, 1)), frames: out.length };
  }

  static parseFilter(expression: string | undefined): FilterNode | undefined {
    return expression ? parseFilter(expression) : undefined;
  }

  private pcapngPacket(f: StoredFrame) {
    return {
      timeUs: f.timeUs,
      transport: f.transport,
      direction: f.direction,
      local: f.local,
      peer: f.peer,
      connectionKey: f.connectionId ?? `${f.local}|${f.peer}`,
      bytes: f.bytes,
      comment: `device ${f.deviceId ?? '(unknown)'} | ${this.brief(f).summary}`,
    };
  }

  private matches(f: StoredFrame, filter: FilterNode | undefined): boolean {
    if (!filter) return true;
    return evaluateFilter(filter, this.brief(f).values);
  }

  private summary(f: StoredFrame): TrafficFrameSummary {
    const b = this.brief(f);
    return {
      seq: f.seq,
      timeUs: f.timeUs,
      direction: f.direction,
      transport: f.transport,
      local: f.local,
      peer: f.peer,
      ...(f.deviceId ? { deviceId: f.deviceId } : {}),
      protocol: b.protocol,
      summary: b.summary,
      length: f.length,
      ...(b.error ? { error: b.error } : {}),
    };
  }

  private brief(f: StoredFrame): Brief {
    let b = this.store.cachedOf(f.seq);
    if (!b) {
      const d = decodeFrame(f, this.env(), true);
      b = {
        protocol: d.protocol,
        summary: d.summary,
        values: d.values,
        ...(d.error ? { error: d.error } : {}),
        ...(d.payloadRef ? { payloadRef: d.payloadRef } : {}),
      };
      const outcome = this.codecOutcomes.get(f.seq);
      if (outcome) Object.assign(b.values, outcome.values);
      this.store.setCached(f.seq, b);
    }
    return b;
  }

  /** Starts the codec decode of a stored frame; undefined when it has none to run (or it is already done). */
  private startCodec(seq: number): Promise<void> | undefined {
    if (!this.codec || this.codecOutcomes.has(seq)) return undefined;
    const pending = this.codecPending.get(seq);
    if (pending) return pending.done;
    const f = this.store.get(seq);
    if (!f?.deviceId) return undefined;
    const ref = this.brief(f).payloadRef;
    if (!ref || !isCodecPayload(ref, f.direction) || ref.offset + ref.length > f.bytes.length) return undefined;
    const target = this.codec.target(f.deviceId);
    if (!target) return undefined;
    // A copy: the slab is reused while the codec works.
    const payload = new Uint8Array(f.bytes.subarray(ref.offset, ref.offset + ref.length));
    const payloadHex = Buffer.from(payload).toString('hex').toUpperCase();
    const topic = ref.protocol === 'mqtt' ? ref.topic : undefined;
    const done = this.codec.decode(target, payloadHex, payload, topic ?? '').then((result) => {
      this.codecPending.delete(seq);
      const oldest = this.store.oldestSeq;
      if (oldest === undefined || seq < oldest) return;
      const values = codecValues(result);
      this.codecOutcomes.set(seq, {
        target,
        payloadOffset: ref.offset,
        payloadLength: ref.length,
        payloadHex,
        ...(topic !== undefined ? { topic } : {}),
        result,
        values,
      });
      const cached = this.store.cachedOf(seq);
      if (cached) Object.assign(cached.values, values);
    });
    this.codecPending.set(seq, {
      state: {
        productId: target.productId,
        ...(target.model ? { productName: target.model.deviceType } : {}),
        version: target.version,
        status: 'pending',
        payloadHex,
        ...(topic !== undefined ? { topic } : {}),
      },
      done,
    });
    return done;
  }

  private pumpCodecQueue(): void {
    while (this.codecInFlight < CODEC_IN_FLIGHT && this.codecQueue.length) {
      const running = this.startCodec(this.codecQueue.shift()!);
      if (!running) continue;
      this.codecInFlight++;
      void running.finally(() => {
        this.codecInFlight--;
        this.pumpCodecQueue();
      });
    }
  }

  /** Drops the codec results of frames that left the ring. */
  private pruneCodecOutcomes(): void {
    const oldest = this.store.oldestSeq ?? this.store.nextSeq;
    const inOrder = this.codecOutcomes.size <= this.store.size;
    for (const seq of this.codecOutcomes.keys()) {
      if (seq < oldest) this.codecOutcomes.delete(seq);
      else if (inOrder) break;
    }
  }

  private env(): DecodeEnv {
    this.decodeEnv ??= {
      lwm2m: this.options.lwm2m,
      ...(this.pcpSupport ? { productSupportsPcp: this.pcpSupport } : {}),
      findCoapRequest: (frame, token) => this.findCoapRequest(frame, token),
    };
    return this.decodeEnv;
  }

  /** Remembers where each CoAP request is, by peer and token, so a response finds it without a search. */
  private indexCoapRequest(event: FrameEvent): void {
    // 16 base64 characters are the 4-byte header and up to 8 token bytes.
    const head = Buffer.from(event.bytesBase64.slice(0, 16), 'base64');
    const code = head[1];
    if (head.length < 4 || code === undefined || code >> 5 !== 0 || code === 0) return;
    const tokenLength = (head[0] ?? 0) & 0x0f;
    if (tokenLength > 8 || head.length < 4 + tokenLength) return;
    const key = `${event.peer}|${event.direction}|${head.subarray(4, 4 + tokenLength).toString('hex')}`;
    const seq = this.store.newestSeq;
    if (seq === undefined) return;
    this.coapRequests.delete(key);
    if (this.coapRequests.size >= COAP_REQUEST_INDEX_MAX)
      this.coapRequests.delete(this.coapRequests.keys().next().value!);
    this.coapRequests.set(key, seq);
  }

  private findCoapRequest(frame: CapturedFrame, tokenHex: string): CoapMessage | undefined {
    const requestDirection = frame.direction === 'in' ? 'out' : 'in';
    const indexed = this.coapRequests.get(`${frame.peer}|${requestDirection}|${tokenHex}`);
    if (indexed !== undefined && indexed < frame.seq) {
      const f = this.store.get(indexed);
      const m = f ? parseCoapMessage(f.bytes) : undefined;
      if (f?.peer === frame.peer && m && !(m instanceof Error) && m.tokenHex === tokenHex) return m;
    }
    let looked = 0;
    for (const seq of this.store.seqs(frame.seq - 1, -1)) {
      if (++looked > COAP_REQUEST_LOOKBACK) break;
      const f = this.store.get(seq)!;
      if (f.protocol !== 'coap' || f.peer !== frame.peer || f.direction === frame.direction) continue;
      const m = parseCoapMessage(f.bytes);
      if (m instanceof Error || m.tokenHex !== tokenHex) continue;
      if (m.code.startsWith('0.') && m.code !== '0.00') return m;
    }
    return undefined;
  }
}
