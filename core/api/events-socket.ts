// WebSocket /api/events: authenticates, then streams bus events to the client in batches.
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import {
  TOKEN_SUBPROTOCOL_PREFIX,
  busTopics,
  eventsClientMessageSchema,
  type BusTopic,
  type EventsServerMessage,
  type TaggedBusEvent,
} from '../contract/events.js';
import type { EventBus } from '../bus/event-bus.js';
import { tokensEqual } from './request-guard.js';

export interface EventStreamOptions {
  bus: EventBus;
  token: string;
  /** Longest wait before a batch is sent. */
  flushMs?: number;
  maxBatch?: number;
  /** Events queued for one slow client before the oldest are dropped. */
  maxQueued?: number;
  authTimeoutMs?: number;
}

/** Picks the token subprotocol offered by a browser client, so the handshake can echo it. */
export function chooseSubprotocol(protocols: Set<string>): string | false {
  for (const p of protocols) if (p.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) return p;
  return false;
}

function send(socket: WebSocket, message: EventsServerMessage): void {
  socket.send(JSON.stringify(message));
}

export function registerEventStream(app: FastifyInstance, options: EventStreamOptions): { closeAll(): void } {
  const flushMs = options.flushMs ?? 50;
  const maxBatch = options.maxBatch ?? 1000;
  const maxQueued = options.maxQueued ?? 20_000;
  const sockets = new Set<WebSocket>();

  app.get('/api/events', { websocket: true }, (socket, request) => {
    sockets.add(socket);
    let authenticated = false;
    let topics = new Set<BusTopic>(busTopics);
    let queue: TaggedBusEvent[] = [];
    let dropped = 0;
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;

    const flush = (): void => {
      timer = undefined;
      if (socket.readyState !== socket.OPEN || queue.length === 0) return;
      // A client that cannot keep up loses events (counted), never the core's memory.
      if (socket.bufferedAmount > 8 * 1024 * 1024) {
        dropped += queue.length;
        queue = [];
        return;
      }
      const events = queue.splice(0, maxBatch);
      send(socket, { type: 'batch', events, dropped });
      dropped = 0;
      if (queue.length) timer = setTimeout(flush, 0);
    };

    const start = (): void => {
      authenticated = true;
      clearTimeout(authTimer);
      send(socket, { type: 'ready', topics: [...topics] });
      unsubscribe = options.bus.subscribeAll(
        (tagged) => {
          if (!topics.has(tagged.topic)) return;
          queue.push(tagged);
          if (queue.length > maxQueued) {
            const excess = queue.length - maxQueued;
            queue.splice(0, excess);
            dropped += excess;
          }
          timer ??= setTimeout(flush, flushMs);
        },
        (topic) => topics.has(topic),
      );
    };

    const refuse = (code: string, message: string): void => {
      send(socket, { type: 'error', code, message });
      socket.close(4401, code);
    };

    const authTimer = setTimeout(
      () => refuse('UNAUTHORIZED', 'send {"type":"auth","token":"…"} first'),
      options.authTimeoutMs ?? 5000,
    );

    const offered = socket.protocol;
    if (offered.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) {
      if (tokensEqual(offered.slice(TOKEN_SUBPROTOCOL_PREFIX.length), options.token)) start();
      else refuse('UNAUTHORIZED', 'wrong token');
    }

    socket.on('message', (raw: Buffer) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        send(socket, { type: 'error', code: 'BAD_MESSAGE', message: 'messages must be JSON' });
        return;
      }
      const message = eventsClientMessageSchema.safeParse(parsed);
      if (!message.success) {
        const issue = message.error.issues[0];
        send(socket, {
          type: 'error',
          code: 'BAD_MESSAGE',
          message: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid message'}`,
        });
        return;
      }
      if (message.data.type === 'auth') {
        if (authenticated) return;
        if (tokensEqual(message.data.token, options.token)) start();
        else refuse('UNAUTHORIZED', 'wrong token');
        return;
      }
      if (!authenticated) {
        refuse('UNAUTHORIZED', 'send {"type":"auth","token":"…"} first');
        return;
      }
      topics = new Set(message.data.topics);
      queue = queue.filter((e) => topics.has(e.topic));
    });

    socket.on('close', () => {
      sockets.delete(socket);
      clearTimeout(authTimer);
      clearTimeout(timer);
      unsubscribe?.();
    });
    request.log.debug({ source: 'api' }, 'events client connected');
  });

  return {
    closeAll() {
      for (const s of sockets) s.close(1001, 'server stopping');
    },
  };
}
