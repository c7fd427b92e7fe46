// Which content formats to ask an LwM2M client for (the Accept of reads and observes, the format of writes), from
// what it announced at registration: its LwM2M version (`lwm2m=`) and the `ct` of its root link
// (`</>;rt="oma.lwm2m";ct=110`). Pure.
import {
  lwm2mContentFormats as CF,
  type Lwm2mContentFormatName,
  type Lwm2mResourceDefinition,
} from '../../contract/lwm2m.js';
import { parseLinkFormat } from './link-format.js';
import type { Lwm2mDefinitions } from './lwm2m-definitions.js';

/** What a registration says about the client. */
export interface AnnouncedClient {
  lwm2mVersion: string;
  /** The registration's link-format body. */
  objectLinks: string;
}

/** A format to ask for; undefined asks for none (the client answers in its default). */
export type FormatChoice = Lwm2mContentFormatName | undefined;

const MULTI_FORMATS: readonly Lwm2mContentFormatName[] = ['tlv', 'senml-cbor', 'senml-json', 'lwm2m-json'];

const isLwm2m10 = (version: string) => version === '' || /^1\.0(\.|$)/.test(version);

/** Formats for several resources that the client names in the `ct` of its root link (`ct=110`, `ct="110 112"`). */
export function announcedFormats(objectLinks: string): Lwm2mContentFormatName[] {
  if (!objectLinks.includes('ct=')) return [];
  const links = parseLinkFormat(objectLinks);
  if (!links.ok) return [];
  const root = links.value.find((l) => l.attributes.rt === 'oma.lwm2m') ?? links.value.find((l) => l.uri === '/');
  const names = (root?.attributes.ct ?? '')
    .split(/\s+/)
    .map((n) => MULTI_FORMATS.find((f) => CF[f] === Number(n)))
    .filter((f): f is Lwm2mContentFormatName => f !== undefined);
  return [...new Set(names)];
}

/** Several resources in one body: what the client announced first, then what its LwM2M version must support. */
function multiFormats(client: AnnouncedClient): Lwm2mContentFormatName[] {
  // LwM2M 1.0 clients speak TLV (and maybe the old JSON); 1.1 ones at least one of TLV, SenML CBOR, SenML JSON.
  const byVersion: Lwm2mContentFormatName[] = isLwm2m10(client.lwm2mVersion)
    ? ['tlv', 'lwm2m-json']
    : ['tlv', 'senml-cbor', 'senml-json'];
  return [...new Set([...announcedFormats(client.objectLinks), ...byVersion])];
}

/** The definition of the resource at `path` (/o/i/r or /o/i/r/ri), if there is one. */
export function resourceAt(defs: Lwm2mDefinitions, path: string): Lwm2mResourceDefinition | undefined {
  const [o, , r] = path.split('/').filter(Boolean).map(Number);
  return o !== undefined && r !== undefined ? defs.object(o)?.resources.find((x) => x.id === r) : undefined;
}

/**
 * The Accept of a read or observe of `path`, in the order to try them while the client answers 4.06. One
 * resource goes as text (opaque ones as opaque: /19/0/0 carries the bytes of NB-IoT modules that way) unless
 * the client announced a format; an unknown one without Accept; everything else in the client's multi formats.
 */
export function readFormats(client: AnnouncedClient, path: string, resource: Lwm2mResourceDefinition | undefined) {
  const depth = path.split('/').filter(Boolean).length;
  const multi = multiFormats(client);
  if (depth < 3) return multi;
  const opaque = resource?.type === 'opaque';
  if (depth === 3 && resource?.multiple && !opaque) return multi;
  const scalar: FormatChoice = resource === undefined ? undefined : opaque ? 'opaque' : 'text';
  const announced = announcedFormats(client.objectLinks);
  const rest = multi.filter((f) => !announced.includes(f));
  return announced.length ? [...announced, scalar, ...rest] : [scalar, ...multi];
}

/** The format of a write of several resources when the caller named none: the one the client announced first. */
export function writeFormat(client: AnnouncedClient): Lwm2mContentFormatName | undefined {
  return announcedFormats(client.objectLinks)[0];
}
