// The device-facing HTTP listener of the Agent-Lite-style bind: one POST, answered with the device's
// deviceId and MQTT secret, or a refusal naming why. It runs on a device port, beside MQTT and CoAP, and speaks
// HTTPS (as the SDK expects) or plain HTTP on the same port: the first byte of a connection tells which.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Device } from '../contract/devices.js';
import type { TcpListener } from '../device-ports.js';
import { DomainError } from '../domain-error.js';
import type { Logger } from '../log/logger.js';
import { BIND_PATH, BIND_RESULT, MAX_BIND_BODY_BYTES, bindRefusal, parseBindRequest } from './agent-lite-bind.js';

export interface BindDeps {
  bind(nodeId: string, verifyCode: string): { device: Device; secret: string };
  appIdOf(deviceId: string): string;
  /** Where the device connects next. */
  mqttPort(): number | undefined;
  /** The certificate for HTTPS binds, made on the first one. */
  secureContext: () => SecureContext;
}

/** A TLS record starts with the handshake content type. */
const TLS_HANDSHAKE = 0x16;

/**
 * The socket with its first bytes put back in front. TLS reads a net.Socket's handle directly and would miss bytes
 * already read into JavaScript, so it gets this plain stream instead.
 */
class Rewound extends Duplex {
  constructor(
    private readonly inner: Socket,
    first: Buffer,
  ) {
    super();
    this.push(first);
    inner.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('close', () => this.destroy());
    inner.on('error', (error: Error) => this.destroy(error));
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.inner.write(chunk, done);
  }

  override _final(done: () => void): void {
    this.inner.end(done);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.inner.destroy();
    done(error);
  }
}

/** Hands the connection to the HTTP server as it is, or inside TLS when the client opened with a handshake. */
function acceptPlainOrTls(socket: Socket, server: Server, secureContext: () => SecureContext, log: Logger): void {
  socket.once('data', (first: Buffer) => {
    socket.pause();
    if (first[0] !== TLS_HANDSHAKE) {
      socket.unshift(first);
      server.emit('connection', socket);
      socket.resume();
      return;
    }
    let context: SecureContext;
    try {
      context = secureContext();
    } catch (error) {
      log.error({ err: error }, 'bind: no certificate for HTTPS');
      socket.destroy();
      return;
    }
    const tls = new TLSSocket(new Rewound(socket, first), { isServer: true, secureContext: context });
    tls.on('error', (error: Error) => {
      log.debug(`bind: TLS connection failed: ${error.message}`);
      socket.destroy();
    });
    tls.on('close', () => socket.destroy());
    server.emit('connection', tls);
  });
  socket.on('error', () => socket.destroy());
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const refuse = (res: ServerResponse, status: number, resultCode: number, code: string, message: string) =>
  reply(res, status, { resultCode, error_code: code, error_desc: message });

/** The host the device reached us at: it reaches the MQTT port there too. */
function hostOf(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  const bracketed = /^\[([^\]]+)\]/.exec(host);
  if (bracketed?.[1]) return bracketed[1];
  return host.split(':')[0] || (req.socket.localAddress ?? '127.0.0.1');
}

export function serveAgentLiteBind(listener: TcpListener, deps: BindDeps, log: Logger): Server {
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000 }, (req, res) => {
    if (req.url?.split('?')[0] !== BIND_PATH)
      return refuse(res, 404, BIND_RESULT.failed, 'NOT_FOUND', `only POST ${BIND_PATH} is served here`);
    if (req.method !== 'POST')
      return refuse(res, 405, BIND_RESULT.failed, 'METHOD_NOT_ALLOWED', `${BIND_PATH} takes a POST`);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BIND_BODY_BYTES) {
        refuse(
          res,
          413,
          BIND_RESULT.failed,
          'BODY_TOO_LARGE',
          `a bind request is at most ${MAX_BIND_BODY_BYTES} bytes`,
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const parsed = parseBindRequest(Buffer.concat(chunks));
      if (!parsed.ok) return refuse(res, 400, BIND_RESULT.failed, parsed.error.code, parsed.error.message);
      try {
        const { device, secret } = deps.bind(parsed.value.nodeId, parsed.value.verifyCode);
        log.info(`bind: ${device.deviceId} bound with nodeId ${device.nodeId}`);
        reply(res, 200, {
          resultCode: BIND_RESULT.success,
          deviceId: device.deviceId,
          deviceSecret: secret,
          appId: deps.appIdOf(device.deviceId),
          mqttAddr: hostOf(req),
          mqttPort: deps.mqttPort() ?? null,
        });
      } catch (error) {
        if (!(error instanceof DomainError)) {
          log.error({ err: error }, 'bind failed');
          return refuse(res, 500, BIND_RESULT.failed, 'INTERNAL', 'the bind could not be completed');
        }
        log.info(`bind refused for nodeId ${parsed.value.nodeId}: ${error.message}`);
        const { status, resultCode } = bindRefusal(error.code);
        refuse(res, status, resultCode, error.code, error.message);
      }
    });
  });
  listener.serve((socket) => acceptPlainOrTls(socket, server, deps.secureContext, log));
  return server;
}
