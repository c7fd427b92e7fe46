// Who is connected: the tapped connection of each socket, the session of each logged-in client, and the one live
// session of each device (a newer login of the same device replaces the older one, as on the platform).
import type { Client } from 'aedes';
import type { Duplex } from 'node:stream';
import type { ProductModel } from '../../contract/product-model.js';
import type { MqttDialect } from '../../device-link/index.js';
import type { DeviceTopicScope } from '../../protocols/mqtt/device-topics.js';
import type { TappedConnection } from './frame-tap.js';

export interface Session {
  deviceId: string;
  productId: string;
  model: ProductModel | undefined;
  scope: DeviceTopicScope;
  /** IoTDA until the device subscribes to or publishes on a legacy `/huawei/v1/…` topic. */
  dialect: MqttDialect;
  conn: TappedConnection;
  ready: boolean;
}

export interface LiveSession {
  client: Client;
  session: Session;
}

export class SessionTable {
  private readonly sessions = new WeakMap<Client, Session>();
  private readonly live = new Map<string, Client>();
  private readonly connections = new Map<Duplex, TappedConnection>();
  private readonly deviceOnConnection = new Map<string, string>();
  private readonly readyWaiters = new WeakMap<Client, (() => void)[]>();

  connectionOpened(conn: TappedConnection): void {
    this.connections.set(conn.stream, conn);
  }

  connectionClosed(conn: TappedConnection): void {
    this.connections.delete(conn.stream);
    this.deviceOnConnection.delete(conn.connectionId);
  }

  connectionOf(stream: Duplex): TappedConnection | undefined {
    return this.connections.get(stream);
  }

  /** The device a connection logged in as (also authType 1 sessions, which have no Session): for frame events. */
  deviceOn(connectionId: string): string | undefined {
    return this.deviceOnConnection.get(connectionId);
  }

  bindConnection(connectionId: string, deviceId: string): void {
    this.deviceOnConnection.set(connectionId, deviceId);
  }

  loggedIn(client: Client, session: Session): void {
    this.sessions.set(client, session);
    this.bindConnection(session.conn.connectionId, session.deviceId);
  }

  sessionOf(client: Client): Session | undefined {
    return this.sessions.get(client);
  }

  /**
   * Resolves once the client's session is ready (or has ended). aedes may hand on a PUBLISH the device sent right
   * after its CONNECT before 'clientReady': an answer to it (a gateway's add request) needs the live session.
   */
  whenReady(client: Client): Promise<void> {
    const session = this.sessions.get(client);
    if (!session || session.ready) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.readyWaiters.get(client) ?? [];
      waiting.push(resolve);
      this.readyWaiters.set(client, waiting);
    });
  }

  private wake(client: Client): void {
    const waiting = this.readyWaiters.get(client);
    this.readyWaiters.delete(client);
    for (const w of waiting ?? []) w();
  }

  /**
   * The client's session is ready (CONNACK sent): it becomes its device's live session. Returns the older session it
   * replaces, if that one is still open, or was just closed by aedes for reusing the same clientId.
   */
  becameReady(client: Client): { session: Session; replaced?: LiveSession } | undefined {
    const session = this.sessions.get(client);
    if (!session) return undefined;
    session.ready = true;
    const previous = this.live.get(session.deviceId);
    this.live.set(session.deviceId, client);
    this.wake(client);
    const older = previous && previous !== client ? this.sessions.get(previous) : undefined;
    if (!previous || !older || (previous.closed && previous.id !== client.id)) return { session };
    return { session, replaced: { client: previous, session: older } };
  }

  /** A ready session ended; `wasLive` is false when a newer session of the device had already replaced it. */
  closed(client: Client): { session: Session; wasLive: boolean } | undefined {
    this.wake(client);
    const session = this.sessions.get(client);
    if (!session?.ready) return undefined;
    session.ready = false;
    const wasLive = this.live.get(session.deviceId) === client;
    if (wasLive) this.live.delete(session.deviceId);
    return { session, wasLive };
  }

  liveSession(deviceId: string): LiveSession | undefined {
    const client = this.live.get(deviceId);
    const session = client && !client.closed ? this.sessions.get(client) : undefined;
    return client && session ? { client, session } : undefined;
  }
}
