// The LwM2M server as other capabilities use it (diagnosis, simulator checks, later commands/OTA).
import type {
  Lwm2mContentFormatName,
  Lwm2mObservation,
  Lwm2mOperationResult,
  Lwm2mRegistration,
  Lwm2mRegistrationEvent,
  Lwm2mValueEvent,
  Lwm2mWriteValue,
} from '../contract/lwm2m.js';

export interface Lwm2mRequestOptions {
  /** Give up waiting for the device after this long (default 30 s; CON retransmissions included). */
  timeoutMs?: number;
}

export interface Lwm2mReadOptions extends Lwm2mRequestOptions {
  accept?: Lwm2mContentFormatName;
}

export type Lwm2mWriteInput =
  | { values: Lwm2mWriteValue[]; mode?: 'replace' | 'partial'; contentFormat?: Lwm2mContentFormatName }
  | { payload: Uint8Array; mode?: 'replace' | 'partial'; contentFormat?: Lwm2mContentFormatName };

/**
 * Every operation resolves with the device's answer (also for 4.xx/5.xx answers: see `ok`); it rejects with
 * an Lwm2mServerError when the device is not registered (`NOT_REGISTERED`) or does not answer (`TIMEOUT`).
 */
export interface Lwm2mServer {
  registration(deviceId: string): Lwm2mRegistration | undefined;
  registrations(): Lwm2mRegistration[];
  observations(deviceId: string): Lwm2mObservation[];
  onRegistration(listener: (event: Lwm2mRegistrationEvent) => void): () => void;
  onNotification(listener: (event: Lwm2mValueEvent) => void): () => void;
  read(deviceId: string, path: string, options?: Lwm2mReadOptions): Promise<Lwm2mOperationResult>;
  discover(deviceId: string, path: string, options?: Lwm2mRequestOptions): Promise<Lwm2mOperationResult>;
  write(
    deviceId: string,
    path: string,
    input: Lwm2mWriteInput,
    options?: Lwm2mRequestOptions,
  ): Promise<Lwm2mOperationResult>;
  execute(deviceId: string, path: string, args?: string, options?: Lwm2mRequestOptions): Promise<Lwm2mOperationResult>;
  observe(deviceId: string, path: string, options?: Lwm2mReadOptions): Promise<Lwm2mOperationResult>;
  cancelObserve(deviceId: string, path: string, options?: Lwm2mRequestOptions): Promise<Lwm2mOperationResult>;
  /** Object 19 downlink: writes the bytes (opaque) to /19/1/0. */
  writeDownlink(deviceId: string, bytes: Uint8Array, options?: Lwm2mRequestOptions): Promise<Lwm2mOperationResult>;
}

export type Lwm2mServerErrorCode = 'NOT_REGISTERED' | 'TIMEOUT' | 'RESET' | 'BAD_REQUEST' | 'STOPPED';

export class Lwm2mServerError extends Error {
  constructor(
    readonly code: Lwm2mServerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'Lwm2mServerError';
  }
}
