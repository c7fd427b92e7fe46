// The UI <-> core contract: each route is declared once with zod and used by the server and the client.
import { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContract<
  Params extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Body extends z.ZodType = z.ZodType,
  Response extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** fastify-style path, e.g. `/api/products/:id`. */
  path: string;
  summary: string;
  tag: string;
  params?: Params;
  query?: Query;
  /** JSON body schema, or 'binary' for a raw byte body (zip, firmware). */
  body?: Body | 'binary';
  response: Response;
  /** HTTP status of a success; 200 unless given. */
  status?: number;
}

export function defineRoute<
  Params extends z.ZodType = z.ZodNever,
  Query extends z.ZodType = z.ZodNever,
  Body extends z.ZodType = z.ZodNever,
  Response extends z.ZodType = z.ZodType,
>(route: RouteContract<Params, Query, Body, Response>): RouteContract<Params, Query, Body, Response> {
  return route;
}

type Infer<T> = T extends z.ZodType ? z.output<T> : never;
type InferIn<T> = T extends z.ZodType ? z.input<T> : never;

/** What a handler receives after validation. */
export interface RouteInput<R extends RouteContract> {
  params: Infer<R['params']>;
  query: Infer<R['query']>;
  body: R['body'] extends 'binary' ? Uint8Array : Infer<R['body']>;
}

/** What a client sends (before defaults are applied). */
export type RouteRequest<R extends RouteContract> = (undefined extends R['params']
  ? { params?: undefined }
  : { params: InferIn<R['params']> }) &
  (undefined extends R['query'] ? { query?: undefined } : { query?: InferIn<R['query']> }) &
  (undefined extends R['body']
    ? { body?: undefined }
    : R['body'] extends 'binary'
      ? { body: Uint8Array | Blob }
      : { body: InferIn<R['body']> });

export type RouteResponse<R extends RouteContract> = Infer<R['response']>;

/** Every error the API returns has this shape. */
export const apiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** Where in the input the problem is, when known (e.g. `body.mqttPort`). */
  path: z.string().optional(),
  details: z.unknown().optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** Fills a fastify-style path with its params. */
export function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`missing path parameter ${name} for ${path}`);
    }
    return encodeURIComponent(String(value));
  });
}
