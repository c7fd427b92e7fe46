// Typed HTTP client for the workbench API: one call per contract route, responses checked against the route's schema.
import {
  apiErrorSchema,
  fillPath,
  type RouteContract,
  type RouteRequest,
  type RouteResponse,
} from '../../core/contract/index.js';

/** A failed API call: the core's `{code, message, path}` plus the HTTP status (0 when the core was unreachable). */
export class ApiClientError extends Error {
  readonly code: string;
  readonly status: number;
  readonly path: string | undefined;
  readonly details: unknown;

  constructor(init: { code: string; message: string; status: number; path?: string; details?: unknown }) {
    super(init.message);
    this.name = 'ApiClientError';
    this.code = init.code;
    this.status = init.status;
    this.path = init.path;
    this.details = init.details;
  }
}

export interface ApiConnection {
  /** Origin of the core's API, e.g. `http://127.0.0.1:43121`. */
  apiUrl: string;
  token: string;
}

/** What a call sends, typed by the route's contract. */
export type CallRequest<R extends RouteContract> = RouteRequest<R>;

/** Arguments of a call: optional as a whole when the route takes no params and no body. */
export type CallArgs<R extends RouteContract> =
  Partial<CallRequest<R>> extends CallRequest<R> ? [request?: CallRequest<R>] : [request: CallRequest<R>];

export type CallApi = <R extends RouteContract>(route: R, ...args: CallArgs<R>) => Promise<RouteResponse<R>>;

export interface ApiClient {
  connection: ApiConnection;
  callApi: CallApi;
}

type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

function queryValueText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

/** Query values become repeated `key=value` pairs; undefined and null are left out. */
export function toQueryString(query: unknown): string {
  if (query === undefined || query === null || typeof query !== 'object') return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    for (const item of values) {
      if (item === undefined || item === null) continue;
      search.append(key, queryValueText(item));
    }
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export function buildRequestUrl(
  apiUrl: string,
  route: RouteContract,
  request: { params?: unknown; query?: unknown },
): string {
  const path = fillPath(route.path, request.params as Record<string, unknown> | undefined);
  return `${apiUrl.replace(/\/+$/, '')}${path}${toQueryString(request.query)}`;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorFromResponse(response: Response, payload: unknown): ApiClientError {
  const parsed = apiErrorSchema.safeParse(payload);
  if (parsed.success) return new ApiClientError({ ...parsed.data, status: response.status });
  const text = typeof payload === 'string' && payload.length > 0 ? payload.slice(0, 300) : response.statusText;
  return new ApiClientError({
    code: `HTTP_${response.status}`,
    message: text || `HTTP ${response.status}`,
    status: response.status,
  });
}

export function createApiClient(
  connection: ApiConnection,
  fetchFn: FetchFn = (input, init) => fetch(input, init),
): ApiClient {
  const callApi = async <R extends RouteContract>(route: R, ...args: CallArgs<R>): Promise<RouteResponse<R>> => {
    const request = (args[0] ?? {}) as { params?: unknown; query?: unknown; body?: unknown };
    const url = buildRequestUrl(connection.apiUrl, route, request);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${connection.token}`,
      Accept: 'application/json',
    };
    let body: BodyInit | undefined;
    if (request.body !== undefined) {
      if (route.body === 'binary') {
        headers['Content-Type'] = 'application/octet-stream';
        body = request.body as Blob | Uint8Array<ArrayBuffer>;
      } else {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(request.body);
      }
    }

    let response: Response;
    try {
      response = await fetchFn(url, { method: route.method, headers, body, credentials: 'omit', cache: 'no-store' });
    } catch (cause) {
      throw new ApiClientError({
        code: 'NETWORK_ERROR',
        message: cause instanceof Error ? cause.message : String(cause),
        status: 0,
      });
    }

    const payload = await readJson(response);
    if (!response.ok) throw errorFromResponse(response, payload);

    const checked = route.response.safeParse(payload);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
      throw new ApiClientError({
        code: 'RESPONSE_INVALID',
        message: `${route.method} ${route.path}: unexpected response at ${where}: ${issue?.message ?? 'invalid'}`,
        status: response.status,
        path: where,
        details: checked.error.issues,
      });
    }
    return checked.data as RouteResponse<R>;
  };
  return { connection, callApi };
}
