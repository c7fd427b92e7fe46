// The UI <-> core contract: each route is declared once with zod and used by the server and the client.
import { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A JSON body schema, or 'binary' for a raw byte body (zip, firmware). */
export type BodySpec = z.ZodType | 'binary';

export interface RouteContract<
  Params extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Body extends BodySpec = BodySpec,
  Response extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** fastify-style path, e.g. `/api/products/:id`. */
  path: string;
  summary: string;
  tag: string;
  params?: Params;
  query?: Query;
  body?: Body;
  response: Response;
  /** HTTP status of a success; 200 unless given. */
  status?: number;
}

/** Declares a route; a part left out is typed `ZodNever` so requests and handlers see it as absent. */
export function defineRoute<
  Params extends z.ZodType = z.ZodNever,
  Query extends z.ZodType = z.ZodNever,
  Body extends BodySpec = z.ZodNever,
  Response extends z.ZodType = z.ZodType,
>(route: RouteContract<Params, Query, Body, Response>): RouteContract<Params, Query, Body, Response> {
  return route;
}

type Absent<T> = [T] extends [z.ZodNever] ? true : false;

/** What a handler receives after validation. */
export type RouteInput<R extends RouteContract> =
  R extends RouteContract<infer P, infer Q, infer B, z.ZodType>
    ? {
        params: Absent<P> extends true ? undefined : z.output<P>;
        query: Absent<Q> extends true ? undefined : z.output<Q>;
        body: [B] extends ['binary']
          ? Uint8Array
          : Absent<B> extends true
            ? undefined
            : B extends z.ZodType
              ? z.output<B>
              : never;
      }
    : never;

/** What a client sends (before defaults are applied). */
export type RouteRequest<R extends RouteContract> =
  R extends RouteContract<infer P, infer Q, infer B, z.ZodType>
    ? (Absent<P> extends true ? { params?: undefined } : { params: z.input<P> }) &
        (Absent<Q> extends true ? { query?: undefined } : { query?: z.input<Q> }) &
        ([B] extends ['binary']
          ? { body: Uint8Array | Blob }
          : Absent<B> extends true
            ? { body?: undefined }
            : B extends z.ZodType
              ? { body: z.input<B> }
              : never)
    : never;

export type RouteResponse<R extends RouteContract> = z.output<R['response']>;

/** The path as OpenAPI writes it: `{id}` for params, a plain colon for fastify's escaped `::`. */
export function openApiPath(path: string): string {
  return path.replace(/::|:([A-Za-z0-9_]+)/g, (match, name: string | undefined) =>
    name === undefined ? ':' : `{${name}}`,
  );
}

/** What a file-download route's handler returns; the server sends the bytes, not JSON. */
export interface BinaryDownload {
  contentType: string;
  /** Sent as Content-Disposition: attachment. */
  fileName?: string;
  bytes: Uint8Array;
}
/** Response schema of a file-download route (the client fetches these as a Blob, not with callApi). */
export const binaryDownloadSchema = z.custom<BinaryDownload>(
  (v) => typeof v === 'object' && v !== null && (v as { bytes?: unknown }).bytes instanceof Uint8Array,
);

/** Every error the API returns has this shape. */
export const apiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** Where in the input the problem is, when known (e.g. `body.mqttPort`). */
  path: z.string().optional(),
  details: z.unknown().optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** Fills a fastify-style path with its params; `::` is a literal colon (`/api/products::import`). */
export function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/::|:([A-Za-z0-9_]+)/g, (match, name: string | undefined) => {
    if (name === undefined) return ':';
    const value = params?.[name];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`missing path parameter ${name} for ${path}`);
    }
    return encodeURIComponent(String(value));
  });
}

/**
 * An optional field where absent and null are the same. Real device SDKs and platform clients write every field
 * they know and send null for the ones the user did not set (the IoTDA Python SDK's `event_time` is null by default).
 */
export const optionalField = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);
