// Errors as the platform answers them (§1.1): `{error_code, error_desc}` with the platform's codes.
// The codes come from the platform's published northbound error table (not in our fact sheet; confidence M):
// 100022 invalid input, 100208 wrong appId/secret, 1010005 bad app_key/access_token, 100217 app not authorised,
// 100403 device does not exist, 100416 device already registered, 50252 internal error; 100203 "the application
// does not exist" is remembered from the same table (confidence L). The group codes 100601 (group full), 100602
// (name used), 100603 (no such group) and 100609 (too many devices to add) are from the device-group API's error
// tables; the platform documents them with HTTP 200 or 400, answered here with the status of our other refusals.
import { statusOfError } from '../api/error-statuses.js';
import { DomainError } from '../domain-error.js';

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

interface PlatformError {
  status: number;
  errorCode: string;
  describe(message: string): string;
}

const badToken: PlatformError = {
  status: 401,
  errorCode: '1010005',
  describe: (message) => `App_key or access_token is invalid: ${message}`,
};

/**
 * The platform's answer for each DomainError code that has one of its own. Any other code is the platform's
 * "invalid input" (100022) when the workbench answers it below 500 (core/api/error-statuses.ts), else 50252.
 */
export const northboundErrors: Readonly<Record<string, PlatformError>> = {
  BAD_CREDENTIALS: { status: 401, errorCode: '100208', describe: () => 'AppId or secret is not right.' },
  // The platform's own code for a refused desired value is not in our fact sheet: its "invalid input".
  BAD_DESIRED: {
    status: 400,
    errorCode: '100022',
    describe: (message) => `The input is invalid: ${message}`,
  },
  // Command codes remembered from the platform's v1.4.0 error table, not in the fact sheet (confidence L).
  COMMAND_NOT_FOUND: {
    status: 404,
    errorCode: '100434',
    describe: (message) => `The device command is not existed: ${message}`,
  },
  COMMAND_NOT_PENDING: {
    status: 400,
    errorCode: '100435',
    describe: (message) => `The device command already executed or canceled: ${message}`,
  },
  BAD_REFRESH_TOKEN: badToken,
  BAD_TOKEN: badToken,
  DEVICE_EXISTS: {
    status: 409,
    errorCode: '100416',
    describe: (message) => `The device has already been registered: ${message}`,
  },
  DEVICE_NOT_FOUND: {
    status: 404,
    errorCode: '100403',
    describe: (message) => `The device is not existed: ${message}`,
  },
  GROUP_DEVICE_NOT_HELD: {
    status: 403,
    errorCode: '100217',
    describe: (message) => `The application hasn't been authorized: ${message}`,
  },
  GROUP_FULL: {
    status: 409,
    errorCode: '100601',
    describe: (message) => `The number of device in the group has reach the max: ${message}`,
  },
  GROUP_NAME_TAKEN: {
    status: 409,
    errorCode: '100602',
    describe: (message) => `The device group name has been used: ${message}`,
  },
  GROUP_NOT_FOUND: {
    status: 404,
    errorCode: '100603',
    describe: (message) => `The device group is not existed: ${message}`,
  },
  GROUP_TOO_MANY_DEVICES: {
    status: 400,
    errorCode: '100609',
    describe: (message) => `Too much devices to add: ${message}`,
  },
  // The platform's code for an unknown upgrade operation is not in our fact sheet: its "invalid input" with a 404;
  // another application's operation answers the same (each app sees only its own operations).
  OTA_TASK_NOT_FOUND: {
    status: 404,
    errorCode: '100022',
    describe: (message) => `The operation is not existed: ${message}`,
  },
  // Rule codes are not in our fact sheet: the platform's "invalid input" with the workbench's status.
  RULE_ALARM_WITH_TIMER: {
    status: 400,
    errorCode: '100022',
    describe: (message) => `The input is invalid: ${message}`,
  },
  RULE_NOT_FOUND: {
    status: 404,
    errorCode: '100022',
    describe: (message) => `The rule is not existed: ${message}`,
  },
  // The platform's own code for an unknown subscription is not in our fact sheet: its "invalid input" with a 404.
  SUBSCRIPTION_NOT_FOUND: {
    status: 404,
    errorCode: '100022',
    describe: (message) => `The subscription is not existed: ${message}`,
  },
};

const internalError = () => new NorthboundError(500, '50252', 'Internal server error.');

function fromCode(code: string, message: string, path: string | undefined, status: number): NorthboundError {
  const known = northboundErrors[code];
  if (known) return new NorthboundError(known.status, known.errorCode, known.describe(message));
  if (status < 500) return invalidInput(path ? `${path}: ${message}` : message);
  return internalError();
}

/** Maps whatever a handler threw to the platform's error shape. */
export function toNorthboundError(error: unknown): NorthboundError {
  if (error instanceof NorthboundError) return error;
  if (error instanceof DomainError) return fromCode(error.code, error.message, error.path, statusOfError(error.code));
  const fastify = error as { statusCode?: number; message?: string };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode < 500)
    return invalidInput(fastify.message ?? 'bad request');
  return internalError();
}
