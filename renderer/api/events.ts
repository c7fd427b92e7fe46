// Live events from the core's /api/events WebSocket: auth, topic subscriptions, reconnect with back-off,
// and delivery batched to animation frames so a flood of events costs one render per frame.
import {
  busEventSchemas,
  eventsServerMessageSchema,
  type BusEventMap,
  type BusTopic,
  type EventsClientMessage,
} from '../../core/contract/index.js';
import type { ApiConnection } from './client.js';

export type EventsStatus = 'connecting' | 'open' | 'closed';

export type BusEventsListener<K extends BusTopic> = (events: BusEventMap[K][]) => void;

interface WebSocketLike {
  readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface EventsClientOptions {
  connection: ApiConnection;
  createSocket?: (url: string) => WebSocketLike;
  scheduleFrame?: (flush: () => void) => void;
  /** Back-off bounds for reconnecting, in milliseconds. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

const OPEN = 1;

export function eventsUrl(apiUrl: string): string {
  const url = new URL('/api/events', apiUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** Delay before reconnect attempt `attempt` (0-based): doubling from min to max, with ±20 % jitter. */
export function reconnectDelay(attempt: number, minDelayMs: number, maxDelayMs: number, random = Math.random): number {
  const base = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.8 + random() * 0.4));
}

export class EventsClient {
  private readonly listeners = new Map<BusTopic, Set<BusEventsListener<BusTopic>>>();
  private readonly statusListeners = new Set<(status: EventsStatus) => void>();
  private pending = new Map<BusTopic, unknown[]>();
  private frameScheduled = false;
  private socket: WebSocketLike | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private stopped = true;
  private ready = false;
  private currentStatus: EventsStatus = 'closed';
  private droppedTotal = 0;
  private readonly createSocket: (url: string) => WebSocketLike;
  private readonly scheduleFrame: (flush: () => void) => void;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: EventsClientOptions) {
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.scheduleFrame =
      options.scheduleFrame ??
      ((flush) =>
        typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => flush()) : setTimeout(flush, 16));
    this.minDelayMs = options.minDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 15_000;
  }

  get status(): EventsStatus {
    return this.currentStatus;
  }

  /** Events the server reports it dropped because this client could not keep up. */
  get dropped(): number {
    return this.droppedTotal;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
      socket.onopen = null;
      socket.close(1000, 'client stopped');
    }
    this.ready = false;
    this.setStatus('closed');
  }

  subscribe<K extends BusTopic>(topic: K, listener: BusEventsListener<K>): () => void {
    let set = this.listeners.get(topic);
    const isNewTopic = set === undefined;
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(listener as BusEventsListener<BusTopic>);
    if (isNewTopic) this.sendSubscriptions();
    return () => {
      const current = this.listeners.get(topic);
      if (!current) return;
      current.delete(listener as BusEventsListener<BusTopic>);
      if (current.size === 0) {
        this.listeners.delete(topic);
        this.sendSubscriptions();
      }
    };
  }

  onStatus(listener: (status: EventsStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setStatus(status: EventsStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private connect(): void {
    this.setStatus('connecting');
    this.ready = false;
    let socket: WebSocketLike;
    try {
      socket = this.createSocket(eventsUrl(this.options.connection.apiUrl));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.send({ type: 'auth', token: this.options.connection.token });
    };
    socket.onmessage = (message) => this.handleMessage(message.data);
    socket.onerror = () => {
      // The close event that follows decides about reconnecting.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.ready = false;
      if (this.stopped) return;
      this.setStatus('connecting');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = reconnectDelay(this.attempt, this.minDelayMs, this.maxDelayMs);
    this.attempt += 1;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private send(message: EventsClientMessage): void {
    if (this.socket && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private sendSubscriptions(): void {
    if (this.ready) this.send({ type: 'subscribe', topics: [...this.listeners.keys()] });
  }

  private handleMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = eventsServerMessageSchema.safeParse(json);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'ready') {
      this.ready = true;
      this.attempt = 0;
      this.setStatus('open');
      this.sendSubscriptions();
    } else if (message.type === 'batch') {
      this.droppedTotal += message.dropped;
      for (const { topic, event } of message.events) this.enqueue(topic, event);
    } else {
      // An auth or protocol error: the server closes the socket and we retry with back-off.
      this.ready = false;
    }
  }

  private enqueue(topic: string, event: unknown): void {
    if (!Object.hasOwn(busEventSchemas, topic)) return;
    const busTopic = topic as BusTopic;
    if (!this.listeners.has(busTopic)) return;
    const checked = busEventSchemas[busTopic].safeParse(event);
    if (!checked.success) return;
    let queue = this.pending.get(busTopic);
    if (!queue) {
      queue = [];
      this.pending.set(busTopic, queue);
    }
    queue.push(checked.data);
    if (!this.frameScheduled) {
      this.frameScheduled = true;
      this.scheduleFrame(() => this.flush());
    }
  }

  private flush(): void {
    this.frameScheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const [topic, events] of batches) {
      const listeners = this.listeners.get(topic);
      if (!listeners) continue;
      for (const listener of [...listeners]) listener(events as BusEventMap[typeof topic][]);
    }
  }
}
