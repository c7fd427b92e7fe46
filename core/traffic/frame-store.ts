// The capture buffer: a ring of frame metadata in typed arrays and a ring of their bytes in one slab, so a
// captured frame leaves no JS object behind for the garbage collector (retained objects made ingest slow).

export interface FrameMeta {
  direction: 'in' | 'out';
  transport: 'tcp' | 'udp' | 'serial';
  /** What the adapter called it (`mqtt`, `coap`, `pcp`, …). */
  protocol: string;
  local: string;
  peer: string;
  deviceId?: string;
  connectionId?: string;
}

export interface StoredFrame extends FrameMeta {
  seq: number;
  timeUs: number;
  /** Bytes as received; a view into the slab, valid until the next push. */
  bytes: Uint8Array;
  /** Length on the wire (bytes may be shorter for a frame larger than half the slab). */
  length: number;
  mqttVersion?: number;
}

const TRANSPORTS = ['tcp', 'udp', 'serial'] as const;

/** `B` is what the capture caches per frame once it decoded it (cleared when the slot is reused). */
export class FrameStore<B> {
  private slab: Buffer;
  private writePos = 0;
  private start = 0;
  private count = 0;
  private firstSeq = 1;
  private time!: Float64Array;
  private offset!: Uint32Array;
  private stored!: Uint32Array;
  private length!: Uint32Array;
  private flags!: Uint8Array;
  private mqtt!: Uint8Array;
  private protocol!: string[];
  private local!: string[];
  private peer!: string[];
  private device!: (string | undefined)[];
  private connection!: (string | undefined)[];
  private cached!: (B | undefined)[];
  /** Frames pushed out because the ring or the slab was full. */
  evicted = 0;

  constructor(
    private cap: number,
    slabBytes: number,
  ) {
    this.slab = Buffer.allocUnsafeSlow(slabBytes);
    this.allocate(cap);
  }

  private allocate(cap: number): void {
    this.time = new Float64Array(cap);
    this.offset = new Uint32Array(cap);
    this.stored = new Uint32Array(cap);
    this.length = new Uint32Array(cap);
    this.flags = new Uint8Array(cap);
    this.mqtt = new Uint8Array(cap);
    this.protocol = new Array<string>(cap);
    this.local = new Array<string>(cap);
    this.peer = new Array<string>(cap);
    this.device = new Array<string | undefined>(cap);
    this.connection = new Array<string | undefined>(cap);
    this.cached = new Array<B | undefined>(cap);
  }

  get capacity(): number {
    return this.cap;
  }
  get size(): number {
    return this.count;
  }
  get oldestSeq(): number | undefined {
    return this.count ? this.firstSeq : undefined;
  }
  get newestSeq(): number | undefined {
    return this.count ? this.firstSeq + this.count - 1 : undefined;
  }
  /** Seq the next push gets. */
  get nextSeq(): number {
    return this.firstSeq + this.count;
  }

  private slot(seq: number): number {
    return (this.start + (seq - this.firstSeq)) % this.cap;
  }

  private dropOldest(): void {
    this.start = (this.start + 1) % this.cap;
    this.count--;
    this.firstSeq++;
    this.evicted++;
  }

  /** Stores a frame whose bytes are given as base64 (decoded straight into the slab); returns its seq. */
  push(meta: FrameMeta, timeUs: number, bytesBase64: string, mqttVersion: number | undefined): number {
    const pad = bytesBase64.endsWith('==') ? 2 : bytesBase64.endsWith('=') ? 1 : 0;
    const length = Math.max(0, Math.floor((bytesBase64.length * 3) / 4) - pad);
    const storable = Math.min(length, this.slab.length >> 1);
    if (this.writePos + storable > this.slab.length) {
      // Wrapping: the frames left in the tail are the oldest ones; they go first, so the oldest frame is the
      // one just ahead of the write position again.
      while (this.count > 0 && this.offset[this.start]! >= this.writePos) this.dropOldest();
      this.writePos = 0;
    }
    const from = this.writePos;
    const to = from + storable;
    // Free the bytes this frame overwrites: the oldest frames sit just ahead of the write position.
    while (this.count > 0) {
      const s = this.start;
      const o = this.offset[s]!;
      const size = this.stored[s]!;
      const overlaps = size > 0 ? o < to && o + size > from : o >= from && o < to;
      if (overlaps) this.dropOldest();
      else break;
    }
    if (this.count === this.cap) this.dropOldest();
    const s = (this.start + this.count) % this.cap;
    this.count++;
    const written =
      storable === length
        ? this.slab.write(bytesBase64, from, storable, 'base64')
        : this.writeTruncated(bytesBase64, from, storable);
    this.writePos = from + written;
    this.time[s] = timeUs;
    this.offset[s] = from;
    this.stored[s] = written;
    this.length[s] = length;
    this.flags[s] = (meta.direction === 'in' ? 1 : 0) | (TRANSPORTS.indexOf(meta.transport) << 1);
    this.mqtt[s] = mqttVersion ?? 0;
    this.cached[s] = undefined;
    // Not interned in a Map (hashing fresh strings cost half the capture's time per frame): the MQTT adapter passes
    // one string object per connection, and a string equal to the previous frame's (a CoAP request and its
    // response) reuses that one.
    const previous = (this.start + this.count - 2 + this.cap) % this.cap;
    this.protocol[s] = meta.protocol;
    this.local[s] = this.count > 1 && meta.local === this.local[previous] ? this.local[previous] : meta.local;
    this.peer[s] = this.count > 1 && meta.peer === this.peer[previous] ? this.peer[previous] : meta.peer;
    this.device[s] = this.count > 1 && meta.deviceId === this.device[previous] ? this.device[previous] : meta.deviceId;
    this.connection[s] =
      this.count > 1 && meta.connectionId === this.connection[previous] ? this.connection[previous] : meta.connectionId;
    return this.firstSeq + this.count - 1;
  }

  private writeTruncated(bytesBase64: string, at: number, storable: number): number {
    return Buffer.from(bytesBase64, 'base64').copy(this.slab, at, 0, storable);
  }

  get(seq: number): StoredFrame | undefined {
    if (!Number.isInteger(seq) || seq < this.firstSeq || seq >= this.firstSeq + this.count) return undefined;
    const s = this.slot(seq);
    const flags = this.flags[s]!;
    const mqtt = this.mqtt[s]!;
    const device = this.device[s];
    const connection = this.connection[s];
    return {
      seq,
      timeUs: this.time[s]!,
      direction: flags & 1 ? 'in' : 'out',
      transport: TRANSPORTS[(flags >> 1) & 3] ?? 'tcp',
      protocol: this.protocol[s]!,
      local: this.local[s]!,
      peer: this.peer[s]!,
      ...(device !== undefined ? { deviceId: device } : {}),
      ...(connection !== undefined ? { connectionId: connection } : {}),
      bytes: this.slab.subarray(this.offset[s], this.offset[s]! + this.stored[s]!),
      length: this.length[s]!,
      ...(mqtt ? { mqttVersion: mqtt } : {}),
    };
  }

  cachedOf(seq: number): B | undefined {
    return seq >= this.firstSeq && seq < this.firstSeq + this.count ? this.cached[this.slot(seq)] : undefined;
  }

  setCached(seq: number, value: B): void {
    if (seq >= this.firstSeq && seq < this.firstSeq + this.count) this.cached[this.slot(seq)] = value;
  }

  /** Seqs from `fromSeq` toward older (-1) or newer (+1) frames, clamped to what is stored. */
  *seqs(fromSeq: number, step: 1 | -1): Generator<number> {
    if (!this.count) return;
    const newest = this.firstSeq + this.count - 1;
    let seq = step === -1 ? Math.min(fromSeq, newest) : Math.max(fromSeq, this.firstSeq);
    for (; seq >= this.firstSeq && seq <= this.firstSeq + this.count - 1; seq += step) yield seq;
  }

  clear(): void {
    this.firstSeq += this.count;
    this.start = 0;
    this.count = 0;
    this.writePos = 0;
    this.evicted = 0;
    this.allocate(this.cap);
  }

  /** Changes how many frames are kept, keeping the newest that fit. */
  resize(capacity: number): void {
    const keep = Math.min(this.count, capacity);
    const from = this.firstSeq + this.count - keep;
    const old = {
      time: this.time,
      offset: this.offset,
      stored: this.stored,
      length: this.length,
      flags: this.flags,
      mqtt: this.mqtt,
      protocol: this.protocol,
      local: this.local,
      peer: this.peer,
      device: this.device,
      connection: this.connection,
      cached: this.cached,
    };
    const oldSlots = Array.from({ length: keep }, (_, i) => this.slot(from + i));
    this.allocate(capacity);
    oldSlots.forEach((o, i) => {
      this.time[i] = old.time[o]!;
      this.offset[i] = old.offset[o]!;
      this.stored[i] = old.stored[o]!;
      this.length[i] = old.length[o]!;
      this.flags[i] = old.flags[o]!;
      this.mqtt[i] = old.mqtt[o]!;
      this.protocol[i] = old.protocol[o]!;
      this.local[i] = old.local[o]!;
      this.peer[i] = old.peer[o]!;
      this.device[i] = old.device[o];
      this.connection[i] = old.connection[o];
      this.cached[i] = old.cached[o];
    });
    this.cap = capacity;
    this.start = 0;
    this.firstSeq = from;
    this.count = keep;
  }
}
