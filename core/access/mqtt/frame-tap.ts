// A Duplex between a device socket and aedes that reports every whole MQTT packet in and out, and enforces the size limit.
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { createPacketSplitter, type SplitError } from '../../protocols/mqtt/packet-splitter.js';

export interface TappedConnection {
  stream: Duplex;
  connectionId: string;
  local: string;
  peer: string;
  peerAddress: string;
}

export interface FrameTapOptions {
  connectionId: string;
  maxPacketBytes: number;
  onPacket(direction: 'in' | 'out', bytes: Buffer): void;
  /** The device sent something unusable (oversized, bad length): the connection is closed after this. */
  onViolation(error: SplitError): void;
}

const hostPort = (address: string | undefined, port: number | undefined) =>
  address?.includes(':') ? `[${address}]:${port ?? 0}` : `${address ?? '?'}:${port ?? 0}`;

export function tapConnection(socket: Socket, options: FrameTapOptions): TappedConnection {
  const incoming = createPacketSplitter(options.maxPacketBytes);
  // Outgoing packets come from aedes itself; the limit there only bounds memory for our own framing.
  const outgoing = createPacketSplitter(Number.MAX_SAFE_INTEGER);

  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      for (const p of outgoing.push(chunk).packets) options.onPacket('out', p);
      if (socket.destroyed) return callback();
      socket.write(chunk, (e) => callback(e ?? null));
    },
    // aedes corks its stream; joining the corked packets keeps one socket write per batch, as without the tap.
    writev(chunks, callback) {
      const joined = Buffer.concat(chunks.map((c) => c.chunk as Buffer));
      for (const p of outgoing.push(joined).packets) options.onPacket('out', p);
      if (socket.destroyed) return callback();
      socket.write(joined, (e) => callback(e ?? null));
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });

  socket.on('data', (chunk: Buffer) => {
    const { packets, error } = incoming.push(chunk);
    for (const p of packets) options.onPacket('in', p);
    if (error) {
      options.onViolation(error);
      socket.destroy();
      return;
    }
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  socket.on('error', () => stream.destroy());

  return {
    stream,
    connectionId: options.connectionId,
    local: hostPort(socket.localAddress, socket.localPort),
    peer: hostPort(socket.remoteAddress, socket.remotePort),
    peerAddress: socket.remoteAddress ?? '?',
  };
}
