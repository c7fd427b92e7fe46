// Binds contract routes to fastify: validates params, query and body with the route's zod schemas.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  binaryDownloadSchema,
  type BinaryDownload,
  type RouteContract,
  type RouteInput,
  type RouteResponse,
} from '../contract/define.js';
import { DomainError } from '../domain-error.js';

export type RouteHandler<R extends RouteContract> = (
  input: RouteInput<R>,
  request: FastifyRequest,
) => Promise<RouteResponse<R>> | RouteResponse<R>;

export interface RouteRegistrar {
  add<R extends RouteContract>(route: R, handler: RouteHandler<R>): void;
  /** Every route added so far (the OpenAPI document is generated from these). */
  routes(): readonly RouteContract[];
}

function parsePart(schema: z.ZodType | undefined, value: unknown, part: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = [part, ...(issue?.path ?? []).map(String)].join('.');
  throw new DomainError('BAD_REQUEST', `${where}: ${issue?.message ?? 'invalid'}`, where, result.error.issues);
}

export function createRouteRegistrar(app: FastifyInstance): RouteRegistrar {
  const added: RouteContract[] = [];
  return {
    add(route, handler) {
      added.push(route);
      app.route({
        method: route.method,
        url: route.path,
        handler: async (request, reply) => {
          const input = {
            params: parsePart(route.params, request.params, 'params'),
            query: parsePart(route.query, request.query, 'query'),
            body: route.body === 'binary' ? binaryBody(request.body) : parsePart(route.body, request.body, 'body'),
          } as RouteInput<typeof route>;
          const result = await handler(input, request);
          if (route.response === binaryDownloadSchema) return sendDownload(reply, result as BinaryDownload);
          void reply.status(route.status ?? 200).type('application/json');
          return JSON.stringify(result);
        },
      });
    },
    routes: () => added,
  };
}

function sendDownload(reply: FastifyReply, download: BinaryDownload): Buffer {
  void reply.status(200).type(download.contentType);
  if (download.fileName !== undefined) {
    const ascii = download.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
    void reply.header(
      'content-disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(download.fileName)}`,
    );
  }
  return Buffer.from(download.bytes.buffer, download.bytes.byteOffset, download.bytes.byteLength);
}

function binaryBody(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  throw new DomainError(
    'UNSUPPORTED_MEDIA_TYPE',
    'body: expected raw bytes (Content-Type application/octet-stream or application/zip)',
    'body',
  );
}
