// The HTTP status of each DomainError code on the workbench API; a code not listed is a 400 (bad input).
// The auth codes (BAD_CREDENTIALS, BAD_TOKEN, BAD_REFRESH_TOKEN) only reach the northbound API, listed for one table.
import type { ApiError } from '../contract/define.js';
import { DomainError } from '../domain-error.js';
import { HttpError } from './http-error.js';

export const errorStatuses: Readonly<Record<string, number>> = {
  APP_EXISTS: 409,
  APP_HAS_DEVICES: 409,
  APP_IS_DEFAULT: 409,
  APP_NAME_TAKEN: 409,
  APP_NOT_FOUND: 404,
  BAD_CREDENTIALS: 401,
  BAD_HEX: 400,
  BAD_KEY: 400,
  BAD_NODE_ID: 400,
  BAD_REFRESH_TOKEN: 401,
  BAD_REQUEST: 400,
  BAD_SECRET: 400,
  BAD_TIME: 400,
  BAD_TOKEN: 401,
  BRING_UP_RUNNING: 409,
  BRING_UP_UNAVAILABLE: 503,
  COAP_PORT_CLOSED: 503,
  CODEC_NOT_FOUND: 404,
  CODEC_VERSION_NOT_FOUND: 404,
  CSV_EMPTY: 400,
  CSV_TOO_LARGE: 400,
  DEVICE_EXISTS: 409,
  DEVICE_NOT_FOUND: 404,
  DEVICE_NOT_READY: 409,
  DIAGNOSIS_NOT_SUPPORTED: 409,
  DIAGNOSIS_TASK_OPEN: 409,
  FILE_NOT_FOUND: 404,
  FILE_TOO_LARGE: 413,
  FILTER_INVALID: 400,
  FLEET_NOT_FOUND: 404,
  FRAME_NOT_FOUND: 404,
  GATEWAY_NOT_FOUND: 404,
  GRANT_NOT_FOUND: 404,
  GRANT_TO_SELF: 400,
  KEY_EXISTS: 409,
  KEY_NOT_FOUND: 404,
  LOG_NOT_COLLECTED: 409,
  LWM2M_BAD_REQUEST: 400,
  LWM2M_NOTHING_TO_WRITE: 400,
  LWM2M_NOT_REGISTERED: 409,
  LWM2M_RESET: 502,
  LWM2M_STOPPED: 503,
  LWM2M_TIMEOUT: 504,
  MODULE_NOT_FOUND: 404,
  MQTT_PORT_CLOSED: 503,
  NOTHING_TO_REPORT: 400,
  NOT_AN_LWM2M_PRODUCT: 400,
  NOT_AN_MQTT_PRODUCT: 400,
  NOT_A_LAYOUT: 400,
  NOT_A_LOG_TASK: 400,
  NOT_SIMULATED: 404,
  NO_FRAME_SOURCE: 400,
  PACKAGE_EXISTS: 409,
  PACKAGE_IN_USE: 409,
  PACKAGE_NOT_FOUND: 404,
  PORT_BUSY: 409,
  PORT_OPEN_FAILED: 400,
  PRODUCT_EXISTS: 409,
  PRODUCT_IN_USE: 409,
  PRODUCT_NOT_FOUND: 404,
  PRODUCT_VERSION_CONFLICT: 409,
  SAMPLE_CODEC_NOT_FOUND: 404,
  SAMPLE_NOT_FOUND: 404,
  SCRIPT_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  SESSION_NOT_OPEN: 409,
  SIMULATION_FAILED: 502,
  SIMULATION_NOT_FOUND: 404,
  SOCAT_MISSING: 503,
  TASK_NOT_FOUND: 404,
  TOPIC_NOT_DEVICE: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

export const statusOfError = (code: string): number => errorStatuses[code] ?? 400;

/** The status and contract body of what a route threw; undefined for anything else (fastify's own errors). */
export function apiErrorReply(error: unknown): { status: number; body: ApiError } | undefined {
  if (error instanceof DomainError) return { status: statusOfError(error.code), body: error.toBody() };
  // core/access still throws HttpError with its own status until it throws DomainError too.
  if (error instanceof HttpError) return { status: error.status, body: error.toBody() };
  return undefined;
}
