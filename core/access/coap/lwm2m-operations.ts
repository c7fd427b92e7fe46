// Device management operations of the LwM2M server (read, discover, write, execute): the request to the device's
// registered address under its root path, and its answer decoded into an operation result.
import { performance } from 'node:perf_hooks';
import type { ParsedPacket } from 'coap-packet';
import {
  lwm2mContentFormats,
  type Lwm2mContentFormatName,
  type Lwm2mOperation,
  type Lwm2mOperationResult,
} from '../../contract/lwm2m.js';
import { Lwm2mServerError, type Lwm2mServer } from '../../device-link/lwm2m-link.js';
import { coapCodeName } from '../../protocols/coap/coap-codes.js';
import { optionOf, readUint, uintOption } from '../../protocols/coap/coap-options.js';
import { readFormats, resourceAt, writeFormat, type FormatChoice } from '../../protocols/lwm2m/content-negotiation.js';
import { contentFormatName, decodePayload, encodeWrite, pathIds } from '../../protocols/lwm2m/payload-codec.js';
import type { CoapAccessState } from './coap-access-state.js';
import { CoapRequestError, type CoapOption, type CoapResponse, type RequestSpec } from './coap-messages.js';
import type { LiveRegistration } from './registrations.js';

export const DOWNLINK_PATH = '/19/1/0';

export function checkPath(path: string): void {
  if (!/^(\/\d{1,5}){1,4}$/.test(path) || pathIds(path).some((n) => n > 65535))
    throw new Lwm2mServerError('BAD_REQUEST', `${path} is not an LwM2M path /o[/i[/r[/ri]]]`);
}

/** Uri-Path options of `path` under the device's root path (`</lwm2m>;rt="oma.lwm2m"`). */
export const uriPath = (r: LiveRegistration, path: string): CoapOption[] => [
  ...r.rootPath
    .split('/')
    .filter(Boolean)
    .map((s) => ({ name: 'Uri-Path' as const, value: Buffer.from(s) })),
  ...pathIds(path).map((id) => ({ name: 'Uri-Path' as const, value: Buffer.from(String(id)) })),
];

export const acceptOption = (name: keyof typeof lwm2mContentFormats | undefined): CoapOption[] =>
  name ? [{ name: 'Accept', value: uintOption(lwm2mContentFormats[name]) }] : [];

export interface SentRequest {
  answer: CoapResponse;
  result: Lwm2mOperationResult;
  registration: LiveRegistration;
}

export type SendRequest = (
  deviceId: string,
  op: Lwm2mOperation,
  path: string,
  spec: Omit<RequestSpec, 'options'> & { options?: CoapOption[] },
  timeoutMs: number | undefined,
) => Promise<SentRequest>;

/**
 * A GET with the Accept the caller named, or else with each format the client's registration suggests in turn
 * while it answers 4.06 Not Acceptable (`refused` hears of each such answer). The caller's wait covers all tries.
 */
export type SendAccepting = (
  deviceId: string,
  op: Lwm2mOperation,
  path: string,
  accept: Lwm2mContentFormatName | undefined,
  spec: (acceptOptions: CoapOption[]) => Omit<RequestSpec, 'options'> & { options?: CoapOption[] },
  timeoutMs: number | undefined,
  refused?: (sent: SentRequest) => void,
) => Promise<SentRequest>;

export type Lwm2mOperations = Pick<Lwm2mServer, 'read' | 'discover' | 'write' | 'execute' | 'writeDownlink'> & {
  send: SendRequest;
  sendAccepting: SendAccepting;
};

export function createLwm2mOperations(state: CoapAccessState): Lwm2mOperations {
  const result = (
    op: Lwm2mOperation,
    path: string,
    packet: ParsedPacket,
    payload: Buffer,
    started: number,
  ): Lwm2mOperationResult => {
    const cfBytes = optionOf(packet, 'Content-Format');
    const contentFormat = cfBytes ? readUint(cfBytes) : undefined;
    const name = contentFormatName(contentFormat);
    const ok = packet.code.startsWith('2.');
    const decoded =
      ok && (op === 'read' || op === 'observe' || op === 'discover')
        ? decodePayload(state.definitions, path, contentFormat, payload)
        : {};
    return {
      op,
      path,
      code: packet.code,
      codeName: coapCodeName(packet.code),
      ok,
      ...(contentFormat !== undefined ? { contentFormat } : {}),
      ...(name ? { contentFormatName: name } : {}),
      payloadHex: payload.toString('hex'),
      ...decoded,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
  };

  const send: SendRequest = async (deviceId, op, path, spec, timeoutMs) => {
    checkPath(path);
    const { registration, endpoint } = state.requireRegistration(deviceId);
    const started = performance.now();
    try {
      const answer = await endpoint.request(
        registration.peer,
        { ...spec, options: [...uriPath(registration, path), ...(spec.options ?? [])] },
        timeoutMs ?? state.requestTimeoutMs,
      );
      return { answer, result: result(op, path, answer.packet, answer.payload, started), registration };
    } catch (error) {
      if (error instanceof CoapRequestError)
        throw new Lwm2mServerError(
          error.code === 'TIMEOUT' ? 'TIMEOUT' : error.code === 'STOPPED' ? 'STOPPED' : 'RESET',
          `${op} ${path} on ${deviceId}: ${error.message}`,
        );
      throw error;
    }
  };

  const sendAccepting: SendAccepting = async (deviceId, op, path, accept, spec, timeoutMs, refused) => {
    checkPath(path);
    const { registration } = state.requireRegistration(deviceId);
    const formats: FormatChoice[] = accept
      ? [accept]
      : readFormats(registration.view, path, resourceAt(state.definitions, path));
    const clock = state.started.clock;
    const deadline = clock.now() + (timeoutMs ?? state.requestTimeoutMs);
    for (let i = 0; ; i++) {
      const sent = await send(deviceId, op, path, spec(acceptOption(formats[i])), Math.max(1, deadline - clock.now()));
      if (sent.result.code !== '4.06' || i === formats.length - 1) return sent;
      refused?.(sent);
    }
  };

  const operations: Lwm2mOperations = {
    send,
    sendAccepting,

    async read(deviceId, path, options = {}) {
      const spec = (accept: CoapOption[]) => ({ code: 'GET', options: accept });
      return (await sendAccepting(deviceId, 'read', path, options.accept, spec, options.timeoutMs)).result;
    },

    async discover(deviceId, path, options = {}) {
      return (await send(deviceId, 'discover', path, { code: 'GET', options: acceptOption('link') }, options.timeoutMs))
        .result;
    },

    async write(deviceId, path, input, options = {}) {
      checkPath(path);
      let contentFormat: number;
      let payload: Uint8Array;
      if ('payload' in input) {
        contentFormat = lwm2mContentFormats[input.contentFormat ?? 'opaque'];
        payload = input.payload;
      } else {
        // Several resources go in the format the client announced, unless the caller named one.
        const single = input.values.length === 1 && pathIds(input.values[0]!.path).length === pathIds(path).length;
        const announced = single ? undefined : state.runtime?.registrations.get(deviceId)?.view;
        const format = input.contentFormat ?? (announced ? writeFormat(announced) : undefined);
        const encoded = encodeWrite(state.definitions, path, input.values, format);
        if (!encoded.ok) throw new Lwm2mServerError('BAD_REQUEST', `${encoded.error.code}: ${encoded.error.message}`);
        ({ contentFormat, payload } = encoded.value);
      }
      const spec = {
        code: input.mode === 'partial' ? 'POST' : 'PUT',
        options: [{ name: 'Content-Format' as const, value: uintOption(contentFormat) }],
        payload: Buffer.from(payload),
      };
      return (await send(deviceId, 'write', path, spec, options.timeoutMs)).result;
    },

    async execute(deviceId, path, args, options = {}) {
      const spec = { code: 'POST', ...(args ? { payload: Buffer.from(args) } : {}) };
      return (await send(deviceId, 'execute', path, spec, options.timeoutMs)).result;
    },

    writeDownlink(deviceId, bytes, options = {}) {
      return operations.write(deviceId, DOWNLINK_PATH, { payload: bytes, contentFormat: 'opaque' }, options);
    },
  };
  return operations;
}
