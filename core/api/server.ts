// The workbench API: fastify on 127.0.0.1, bearer token + Host check, contract routes, events, UI files.
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBus } from '../bus/event-bus.js';
import type { Logger } from '../log/logger.js';
import { createRouteRegistrar, type RouteRegistrar } from './contract-routes.js';
import { registerEventStream, chooseSubprotocol } from './events-socket.js';
import { DomainError } from '../domain-error.js';
import { statusOfError } from './error-statuses.js';
import { HttpError } from './http-error.js';
import { buildOpenApiDocument } from './openapi.js';
import { allowedHosts, bearerToken, originAllowed, tokensEqual } from './request-guard.js';

export interface ApiServerOptions {
  token: string;
  bus: EventBus;
  logger: Logger;
  version: string;
  rendererDir?: string;
  /** Largest raw upload (zip, firmware) in bytes. */
  binaryBodyLimit?: number;
}

export interface ApiServer {
  app: FastifyInstance;
  routes: RouteRegistrar;
  listen(port: number): Promise<number>;
  close(): Promise<void>;
}

const UNAUTHENTICATED_PATHS = new Set(['/api/events']);

export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const apiLogger: FastifyBaseLogger = options.logger.child({ source: 'api' });
  const app = Fastify({
    loggerInstance: apiLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 10 * 1024 * 1024,
    forceCloseConnections: true,
  });
  let hosts = new Set<string>();

  app.addContentTypeParser(
    ['application/octet-stream', 'application/zip'],
    { parseAs: 'buffer', bodyLimit: options.binaryBodyLimit ?? 1024 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // The event stream's Host and Origin are checked during the WebSocket handshake (verifyClient).
    if (UNAUTHENTICATED_PATHS.has(path)) return;
    if (!hosts.has(request.headers.host ?? '')) {
      return reply
        .status(421)
        .send({ code: 'BAD_HOST', message: `Host "${request.headers.host ?? ''}" is not this workbench` });
    }
    if (!path.startsWith('/api/')) return;
    const token = bearerToken(request.headers.authorization);
    if (!token || !tokensEqual(token, options.token)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer')
        .send({ code: 'UNAUTHORIZED', message: 'missing or wrong "Authorization: Bearer <token>" header' });
    }
  });

  app.setErrorHandler((error: FastifyError | HttpError | DomainError, request, reply) => {
    if (error instanceof HttpError) return reply.status(error.status).send(error.toBody());
    if (error instanceof DomainError)
      return reply
        .status(statusOfError(error.code))
        .send({ code: error.code, message: error.message, path: error.path, details: error.details });
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, `request ${request.method} ${request.url} failed`);
    return reply.status(status).send({
      code: status >= 500 ? 'INTERNAL' : (error.code ?? 'BAD_REQUEST'),
      message: error.message,
    });
  });

  await app.register(fastifyWebsocket, {
    options: {
      handleProtocols: chooseSubprotocol,
      verifyClient: ({ origin, req }, accept) => {
        if (!hosts.has(req.headers.host ?? '')) accept(false, 421, 'Host is not this workbench');
        else if (!originAllowed(origin, hosts)) accept(false, 403, 'this origin may not open the event stream');
        else accept(true);
      },
    },
  });
  const routes = createRouteRegistrar(app);
  const events = registerEventStream(app, { bus: options.bus, token: options.token });

  app.get('/api/openapi.json', () => buildOpenApiDocument(routes.routes(), options.version));

  const rendererDir = options.rendererDir;
  const hasUi = rendererDir !== undefined && existsSync(join(rendererDir, 'index.html'));
  if (hasUi) {
    await app.register(fastifyStatic, { root: rendererDir, wildcard: false, index: ['index.html'] });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') || request.method !== 'GET') {
      return reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${path}` });
    }
    if (!hasUi) {
      return reply
        .status(404)
        .type('text/plain')
        .send('The workbench UI is not built. Run `npm run build:renderer` and restart.');
    }
    // Client-side routes: the UI decides what to show.
    return reply.type('text/html').sendFile('index.html');
  });

  return {
    app,
    routes,
    async listen(port) {
      await app.listen({ host: '127.0.0.1', port });
      const address = app.server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      hosts = allowedHosts(actual);
      return actual;
    },
    async close() {
      events.closeAll();
      await app.close();
    },
  };
}
