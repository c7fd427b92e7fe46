// Errors as the platform answers them (§1.1): `{error_code, error_desc}` with the platform's codes.
// The codes come from the platform's published northbound error table (not in our fact sheet; confidence M):
// 100022 invalid input, 100208 wrong appId/secret, 1010005 bad app_key/access_token, 100217 app not authorised,
// 100403 device does not exist, 100416 device already registered, 50252 internal error.
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
export const deviceNotFound = (deviceId: string) =>
  new NorthboundError(404, '100403', `The device is not existed: no device has the id ${deviceId}`);
export const appNotAuthorized = (appId: string) =>
  new NorthboundError(403, '100217', `The application hasn't been authorized: this app may not act for ${appId}`);

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
