// The shapes the CoAP message layer speaks (peers, options, requests, responses, its errors), shared by the
// endpoint, its block-wise transfers and the LwM2M server on top.
import type { NamedOption, Option, ParsedPacket } from 'coap-packet';

export interface Peer {
  address: string;
  port: number;
}

/** `address:port`, `[v6]:port` for IPv6, as the traffic contract writes peers. */
export const peerKey = (p: Peer): string =>
  p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;

export type CoapOption = NamedOption | Option;

export interface ResponseSpec {
  code: string;
  options?: CoapOption[];
  payload?: Buffer;
}

export interface IncomingRequest {
  packet: ParsedPacket;
  peer: Peer;
  /** The request body, reassembled when the device sent it in Block1 blocks. */
  payload: Buffer;
  respond(response: ResponseSpec): void;
}

export interface RequestSpec {
  /** `GET`, `POST`, `PUT`, `DELETE` or a `0.0x` code. */
  code: string;
  options?: CoapOption[];
  payload?: Buffer;
  /** Keep the token after the answer (observe): later messages with it go to onNotify. */
  onNotify?: (packet: ParsedPacket) => void;
  token?: Buffer;
}

export interface CoapResponse {
  packet: ParsedPacket;
  /** All Block2 blocks joined. */
  payload: Buffer;
  token: Buffer;
}

export class CoapRequestError extends Error {
  constructor(
    readonly code: 'TIMEOUT' | 'RESET' | 'STOPPED' | 'TOO_LARGE' | 'BLOCK_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'CoapRequestError';
  }
}
