// The formats asked of an LwM2M client, from its registration: TLV for 1.0, what a 1.1 client announced in the
// ct of its root link, text or opaque for one resource, and the fallbacks after a 4.06.
import { describe, expect, it } from 'vitest';
import {
  announcedFormats,
  readFormats,
  resourceAt,
  writeFormat,
} from '../../../../../core/protocols/lwm2m/content-negotiation.js';
import { loadLwm2mDefinitions } from '../../../../../core/protocols/lwm2m/lwm2m-definitions.js';

const defs = loadLwm2mDefinitions();
const v10 = { lwm2mVersion: '1.0', objectLinks: '</1/0>,</3/0>,</19/0>' };
const v11 = { lwm2mVersion: '1.1', objectLinks: '</1/0>,</3/0>' };
const senmlJson = { lwm2mVersion: '1.1', objectLinks: '</>;rt="oma.lwm2m";ct=110,</3/0>,</19/0>' };
const senmlCbor = { lwm2mVersion: '1.1', objectLinks: '</>;rt="oma.lwm2m";ct="112 110",</3/0>' };
const formats = (client: typeof v10, path: string) => readFormats(client, path, resourceAt(defs, path));

describe('announced formats', () => {
  it('reads ct of the root link, one number or a quoted list, known multi-resource formats only', () => {
    expect(announcedFormats(senmlJson.objectLinks)).toEqual(['senml-json']);
    expect(announcedFormats(senmlCbor.objectLinks)).toEqual(['senml-cbor', 'senml-json']);
    expect(announcedFormats('</>;ct=11542,</3/0>')).toEqual(['tlv']);
    expect(announcedFormats('</>;rt="oma.lwm2m";ct=40,</3/0>')).toEqual([]);
    expect(announcedFormats('</3/0>;ct=110')).toEqual([]);
    expect(announcedFormats('not <link format')).toEqual([]);
  });
});

describe('read formats', () => {
  it('asks a 1.0 client for TLV, then the old JSON', () => {
    expect(formats(v10, '/3/0')).toEqual(['tlv', 'lwm2m-json']);
    expect(formats(v10, '/3')).toEqual(['tlv', 'lwm2m-json']);
  });

  it('asks a 1.1 client for what it announced first', () => {
    expect(formats(senmlJson, '/3/0')).toEqual(['senml-json', 'tlv', 'senml-cbor']);
    expect(formats(senmlCbor, '/3/0')).toEqual(['senml-cbor', 'senml-json', 'tlv']);
    expect(formats(v11, '/3/0')).toEqual(['tlv', 'senml-cbor', 'senml-json']);
  });

  it('reads one resource as text, an opaque one as opaque, an unknown one without Accept', () => {
    expect(formats(v10, '/3/0/9')).toEqual(['text', 'tlv', 'lwm2m-json']);
    expect(formats(v10, '/3/0/7/0')).toEqual(['text', 'tlv', 'lwm2m-json']);
    expect(formats(v10, '/19/0/0')).toEqual(['opaque', 'tlv', 'lwm2m-json']);
    expect(formats(v11, '/30000/0/1')).toEqual([undefined, 'tlv', 'senml-cbor', 'senml-json']);
    expect(formats(senmlJson, '/3/0/9')).toEqual(['senml-json', 'text', 'tlv', 'senml-cbor']);
    expect(formats(senmlJson, '/19/0/0')).toEqual(['senml-json', 'opaque', 'tlv', 'senml-cbor']);
  });

  it('reads a resource with several instances like an instance', () => {
    expect(formats(v10, '/3/0/7')).toEqual(['tlv', 'lwm2m-json']);
  });
});

describe('write format', () => {
  it('is the first announced format, else the encoder default', () => {
    expect(writeFormat(senmlCbor)).toBe('senml-cbor');
    expect(writeFormat(v11)).toBeUndefined();
  });
});
