// Errors as the platform answers them (§1.1): `{error_code, error_desc}` with the platform's codes.
// The codes come from the platform's published northbound error table (not in our fact sheet; confidence M):
// 100022 invalid input, 100208 wrong appId/secret, 1010005 bad app_key/access_token, 100217 app not authorised,
// 100403 device does not exist, 100416 device already registered, 50252 internal error; 100203 "the application
// does not exist" is remembered from the same table (confidence L).
import { HttpError } from '../api/http-error.js';
import { AuthRefusal } from '../apps/index.js';

export interface NorthboundErrorBody {
  error_code: string;
  error_desc: string;
}

export class NorthboundError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'NorthboundError';
  }

  toBody(): NorthboundErrorBody {
    return { error_code: this.errorCode, error_desc: this.message };
  }
}

export const invalidInput = (what: string) => new NorthboundError(400, '100022', `The input is invalid: ${what}`);
/** Also the answer for another application's device: each app sees only the devices it holds. */
export const deviceNotFound = (deviceId: string, appId?: string) =>
  new NorthboundError(
    404,
    '100403',
    `The device is not existed: ${appId === undefined ? 'no device' : `the application ${appId} has no device`} with the id ${deviceId}`,
  );
/** R-1.3: `?appId=` names an app that gave the caller no grant, or only `query` where the call needs `edit`. */
export const appNotAuthorized = (reason: string) =>
  new NorthboundError(403, '100217', `The application hasn't been authorized: ${reason}`);
export const appNotExisted = (appId: string) =>
  new NorthboundError(403, '100203', `The application is not existed: no application has the id ${appId}`);

/** Maps whatever a handler threw to the platform's error shape. */
export function toNorthboundError(error: unknown): NorthboundError {
  if (error instanceof NorthboundError) return error;
  if (error instanceof AuthRefusal) {
    return error.reason === 'BAD_CREDENTIALS'
      ? new NorthboundError(401, '100208', 'AppId or secret is not right.')
      : new NorthboundError(401, '1010005', `App_key or access_token is invalid: ${error.message}`);
  }
  if (error instanceof HttpError) {
    if (error.code === 'DEVICE_NOT_FOUND')
      return new NorthboundError(404, '100403', `The device is not existed: ${error.message}`);
    if (error.code === 'DEVICE_EXISTS')
      return new NorthboundError(409, '100416', `The device has already been registered: ${error.message}`);
    if (error.status < 500) return invalidInput(error.path ? `${error.path}: ${error.message}` : error.message);
  }
  const fastify = error as { statusCode?: number; message?: string };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode < 500)
    return invalidInput(fastify.message ?? 'bad request');
  return new NorthboundError(500, '50252', 'Internal server error.');
}
