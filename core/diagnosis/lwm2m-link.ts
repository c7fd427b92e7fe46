// Diagnosis reaches devices through the LwM2M server: registrations and notifications are contacts.
import { Lwm2mServerError, type Lwm2mServer } from '../device-link/index.js';
import type { Lwm2mOperationResult } from '../contract/lwm2m.js';
import type { DiagnosisDeviceLink, LinkOutcome } from './diagnosis-service.js';

function outcomeOf(result: Lwm2mOperationResult, withBytes: boolean): LinkOutcome {
  if (!result.ok) {
    return {
      ok: false,
      kind: 'refused',
      code: 'deviceAnswered',
      params: { code: result.code, codeName: result.codeName },
    };
  }
  return withBytes ? { ok: true, bytes: new Uint8Array(Buffer.from(result.payloadHex, 'hex')) } : { ok: true };
}

/** A request the server cannot even make fails the task; anything else is tried again on the next contact. */
const unreachable = (error: unknown): LinkOutcome => {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof Lwm2mServerError && error.code === 'BAD_REQUEST'
    ? { ok: false, kind: 'refused', code: 'requestFailed', params: { reason: message } }
    : { ok: false, kind: 'unreachable', message };
};

export function lwm2mDiagnosisLink(server: () => Lwm2mServer): DiagnosisDeviceLink {
  return {
    isReachable: (deviceId) => server().registration(deviceId) !== undefined,
    onContact(listener) {
      const offRegistration = server().onRegistration((event) => {
        if ((event.kind === 'registered' || event.kind === 'updated') && event.deviceId) listener(event.deviceId);
      });
      const offNotification = server().onNotification((event) => listener(event.deviceId));
      return () => {
        offRegistration();
        offNotification();
      };
    },
    execute: (deviceId, path) =>
      server()
        .execute(deviceId, path)
        .then((r) => outcomeOf(r, false), unreachable),
    read: (deviceId, path) =>
      server()
        .read(deviceId, path, { accept: 'opaque' })
        .then((r) => outcomeOf(r, true), unreachable),
  };
}
