// The northbound listener: a fastify server that answers in the platform's error shape, served on the platform's
// northbound port as plain HTTP or behind TLS (§1.1).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Duplex } from 'node:stream';
import type { TcpListener } from '../device-ports.js';
import type { NorthboundEndpoint } from '../contract/apps.js';
import type { Logger } from '../log/logger.js';
import { toNorthboundError } from './northbound-errors.js';
import type { NorthboundTls } from './northbound-tls.js';

export function createNorthboundServer(logger: Logger): FastifyInstance {
  const serverLogger: FastifyBaseLogger = logger.child({ source: 'northbound-api' });
  const server = Fastify({
    loggerInstance: serverLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  });
  server.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  server.setErrorHandler((error, request, reply) => {
    const mapped = toNorthboundError(error);
    if (mapped.status >= 500) request.log.error({ err: error }, `northbound ${request.method} ${request.url} failed`);
    return reply.status(mapped.status).send(mapped.toBody());
  });
  server.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error_code: '404',
      error_desc: `Not Found: ${request.method} ${request.url.split('?')[0]} is not a northbound API of the workbench`,
    }),
  );
  return server;
}

/** Hands the listener's connections to the server, through TLS when it is on; answers where it is reached. */
export async function serveNorthbound(
  server: FastifyInstance,
  listener: TcpListener,
  tls: NorthboundTls | undefined,
  logger: Logger,
): Promise<NorthboundEndpoint> {
  await server.ready();
  const plain = (socket: Duplex) => server.server.emit('connection', socket);
  if (tls) {
    // What an https server does inside: TLS first, then the HTTP server sees the decrypted socket.
    tls.server.on('secureConnection', plain);
    listener.serve((socket) => tls.server.emit('connection', socket));
  } else listener.serve(plain);
  const baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${listener.port}`;
  logger.info(
    `northbound API on ${baseUrl}${tls ? ` with the certificate ${tls.certFile} (SHA-256 ${tls.fingerprint256})${tls.clientCaFile ? `, client certificates from ${tls.clientCaFile} required` : ''}` : ''}`,
  );
  return {
    enabled: true,
    baseUrl,
    tls: tls !== undefined,
    ...(tls ? { certFile: tls.certFile, fingerprint256: tls.fingerprint256 } : {}),
    ...(tls?.clientCaFile ? { clientCaFile: tls.clientCaFile } : {}),
  };
}
