// Device-facing listeners (MQTT over TCP, CoAP over UDP, …): bound by the platform, served by the access adapters.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { Listener } from './contract/platform.js';
import type { Logger } from './log/logger.js';
import { StartupError } from './platform-types.js';

export interface TcpListener {
  name: string;
  server: Server;
  port: number;
  /** Hands every new connection to the protocol adapter that serves this port. */
  serve(handler: (socket: Socket) => void): void;
}

export interface UdpListener {
  name: string;
  socket: UdpSocket;
  port: number;
  /** Marks the socket as served; the adapter adds its own 'message' listener. */
  serve(): void;
}

export interface DevicePorts {
  bindTcp(name: string, port: number, host: string): Promise<TcpListener>;
  bindUdp(name: string, port: number, host: string): Promise<UdpListener>;
  tcp(name: string): TcpListener | undefined;
  udp(name: string): UdpListener | undefined;
  list(): Listener[];
  closeAll(): Promise<void>;
}

function portInUse(name: string, port: number, host: string, error: unknown): StartupError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EADDRINUSE'
      ? `is in use by another program`
      : code === 'EACCES'
        ? `needs more privileges`
        : `cannot be opened (${error instanceof Error ? error.message : String(error)})`;
  return new StartupError(
    'PORT_IN_USE',
    `The ${name.toUpperCase()} port ${port} on ${host} ${reason}. Choose another port in Settings or with --${name}-port (0 picks a free one).`,
  );
}

export function createDevicePorts(logger: Logger): DevicePorts {
  const tcpListeners = new Map<string, TcpListener>();
  const udpListeners = new Map<string, UdpListener>();
  const log = logger.child({ source: 'ports' });
  const openSockets = new Set<Socket>();

  return {
    async bindTcp(name, port, host) {
      let handler: ((socket: Socket) => void) | undefined;
      const server = createServer((socket) => {
        openSockets.add(socket);
        socket.once('close', () => openSockets.delete(socket));
        if (handler) return handler(socket);
        log.warn(
          `${name} connection from ${socket.remoteAddress ?? '?'} closed: no ${name} device access is installed`,
        );
        socket.destroy();
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e) => reject(portInUse(name, port, host, e)));
        server.listen({ port, host, ipv6Only: false }, resolve);
      });
      const address = server.address();
      const listener: TcpListener = {
        name,
        server,
        port: typeof address === 'object' && address ? address.port : port,
        serve: (h) => (handler = h),
      };
      tcpListeners.set(name, listener);
      log.info(`${name} listening on tcp ${host}:${listener.port}`);
      return listener;
    },

    async bindUdp(name, port, host) {
      const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
      let served = false;
      let unservedWarned = false;
      socket.on('message', (_msg, rinfo) => {
        if (served || unservedWarned) return;
        unservedWarned = true;
        log.warn(`${name} datagram from ${rinfo.address}:${rinfo.port} ignored: no ${name} device access is installed`);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', (e) => reject(portInUse(name, port, host, e)));
        socket.bind({ port, address: host }, () => resolve());
      });
      const listener: UdpListener = {
        name,
        socket,
        port: socket.address().port,
        serve: () => (served = true),
      };
      udpListeners.set(name, listener);
      log.info(`${name} listening on udp ${host}:${listener.port}`);
      return listener;
    },

    tcp: (name) => tcpListeners.get(name),
    udp: (name) => udpListeners.get(name),

    list() {
      const tcp = [...tcpListeners.values()].map((l) => {
        const a = l.server.address();
        return {
          name: l.name,
          protocol: 'tcp' as const,
          address: typeof a === 'object' && a ? a.address : '',
          port: l.port,
        };
      });
      const udp = [...udpListeners.values()].map((l) => ({
        name: l.name,
        protocol: 'udp' as const,
        address: l.socket.address().address,
        port: l.port,
      }));
      return [...tcp, ...udp];
    },

    async closeAll() {
      await Promise.all([
        ...[...tcpListeners.values()].map(
          (l) =>
            new Promise<void>((resolve) => {
              l.server.close(() => resolve());
              for (const s of openSockets) s.destroy();
            }),
        ),
        ...[...udpListeners.values()].map((l) => new Promise<void>((resolve) => l.socket.close(() => resolve()))),
      ]);
      tcpListeners.clear();
      udpListeners.clear();
    },
  };
}
