import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../../core/clock.js';
import { AtLineSplitter } from '../../../../core/serial/at/at-lines.js';
import { createAtCollector } from '../../../../core/serial/at/at-response.js';
import { AtRunner, type AtTransport } from '../../../../core/serial/at/at-runner.js';
import { atCommandLibrary, parseAtFields } from '../../../../core/serial/at/command-library.js';
import { coverageLevel } from '../../../../core/serial/at/coverage-level.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/serial/${name}`, import.meta.url));

/** A transport that answers each written command with a recorded transcript, fed in small pieces. */
function recordedModule(transcript: Buffer, pieceSize = 3): AtTransport & { written: string[] } {
  const listeners = new Set<(bytes: Uint8Array) => void>();
  const written: string[] = [];
  return {
    written,
    onData(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    write(bytes) {
      written.push(Buffer.from(bytes).toString('latin1'));
      for (let i = 0; i < transcript.length; i += pieceSize) {
        const piece = transcript.subarray(i, i + pieceSize);
        for (const l of [...listeners]) l(piece);
      }
      return Promise.resolve();
    },
  };
}

async function run(command: string, transcript: Buffer) {
  const clock = createManualClock();
  return new AtRunner(recordedModule(transcript), clock).run(command, 1000);
}

describe('AT response collection', () => {
  it('parses the IMEI from AT+CGSN=1', async () => {
    const result = await run('AT+CGSN=1', fixture('cgsn.txt'));
    expect(result.final).toBe('ok');
    expect(result.fields).toEqual({ imei: '863703030000001' });
  });

  it('separates +NNMI and +QLWEVTIND URCs from NUESTATS lines and skips the echo', async () => {
    const result = await run('AT+NUESTATS', fixture('nuestats-with-urcs.txt'));
    expect(result.final).toBe('ok');
    expect(result.urcs).toEqual(['+NNMI:4,AABBCCDD', '+QLWEVTIND:3']);
    expect(result.lines[0]).toBe('Signal power:-1102');
    expect(result.fields).toMatchObject({
      rsrpDbm: -110.2,
      sinrDb: -2.5,
      cellId: '95271489',
      ecl: 1,
      coverageLevel: 1,
    });
  });

  it('treats the boot banner after AT+NRB as URCs and keeps garbage bytes as lines', async () => {
    const result = await run('AT+NRB', fixture('nrb-banner.txt'));
    expect(result.final).toBe('ok');
    expect(result.lines[0]).toBe('REBOOTING');
    expect(result.urcs).toEqual(expect.arrayContaining(['Boot: Unsigned', 'REBOOT_CAUSE_APPLICATION_AT', 'Neul']));
  });

  it('reports +CME ERROR with its code', async () => {
    const result = await run('AT+NMGS=2,AA', fixture('nmgs-cme-error.txt'));
    expect(result.final).toBe('cme-error');
    expect(result.cmeError).toBe(50);
    expect(result.fields).toBeUndefined();
  });

  it('accepts a space after the colon', async () => {
    const result = await run('AT+NCDP?', fixture('ncdp-space-after-colon.txt'));
    expect(result.fields).toEqual({ server: '192.168.1.20', port: 5683 });
  });

  it('times out through the clock when no final code arrives', async () => {
    const clock = createManualClock();
    const runner = new AtRunner(recordedModule(Buffer.from('\r\n+CSQ:21,99\r\n')), clock);
    const pending = runner.run('AT+CSQ', 2000);
    await Promise.resolve();
    await Promise.resolve();
    clock.advance(2000);
    const result = await pending;
    expect(result.final).toBe('timeout');
    expect(result.lines).toEqual(['+CSQ:21,99']);
    expect(result.durationMs).toBe(2000);
  });

  it('sends the command with CR LF', async () => {
    const module = recordedModule(fixture('cgsn.txt'));
    await new AtRunner(module, createManualClock()).run('AT+CGSN=1');
    expect(module.written).toEqual(['AT+CGSN=1\r\n']);
  });

  it('keeps an own-prefix line as response, not URC (AT+NNMI? answers +NNMI:1)', () => {
    const c = createAtCollector('AT+NNMI?');
    c.push('+NNMI:1');
    expect(c.push('OK')).toMatchObject({ final: 'ok', lines: ['+NNMI:1'], urcs: [] });
  });
});

describe('command library parsers', () => {
  it('parses CSQ into RSSI dBm and leaves 99 as unknown', () => {
    expect(parseAtFields('AT+CSQ', ['+CSQ:21,99']).fields).toEqual({ rssi: 21, ber: 99, rssiDbm: -71 });
    expect(parseAtFields('AT+CSQ', ['+CSQ: 99,99']).fields).toEqual({ rssi: 99, ber: 99 });
  });

  it('parses the newer NUESTATS:RADIO form', () => {
    const fields = parseAtFields('AT+NUESTATS', ['NUESTATS:RADIO,Signal power,-832', 'NUESTATS:RADIO,SNR,124']).fields;
    expect(fields).toMatchObject({ rsrpDbm: -83.2, sinrDb: 12.4, coverageLevel: 0 });
  });

  it('parses uplink and downlink statistics', () => {
    expect(parseAtFields('AT+NQMGS', ['PENDING=0,SENT=3,ERROR=1']).fields).toEqual({ pending: 0, sent: 3, error: 1 });
    expect(parseAtFields('AT+NQMGR', ['BUFFERED=1,RECEIVED=2,DROPPED=0']).fields).toEqual({
      buffered: 1,
      received: 2,
      dropped: 0,
    });
    expect(parseAtFields('AT+NMGR', ['4,aabbccdd']).fields).toEqual({ length: 4, hex: 'AABBCCDD' });
  });

  it('returns a parse error for lines of the wrong shape', () => {
    expect(parseAtFields('AT+CGSN=1', ['+CGSN:hello']).parseError).toMatch(/no IMEI/);
  });

  it('never throws on random or truncated lines (garbage)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (lines) => {
        for (const def of atCommandLibrary) {
          const out = parseAtFields(def.command, lines);
          expect(typeof out).toBe('object');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('collects random bytes without throwing and finds OK after garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const splitter = new AtLineSplitter();
        const collector = createAtCollector('AT+CSQ');
        for (const l of splitter.push(bytes)) collector.push(l);
        for (const l of splitter.push(Buffer.from('\r\nOK\r\n'))) collector.push(l);
        expect(collector.result().final).toBeDefined();
      }),
    );
  });
});

describe('coverage level (R-14.3)', () => {
  it('uses the weaker of RSRP and SINR levels and counts out of range as level 2', () => {
    expect(coverageLevel(-100, 10)).toBe(0);
    expect(coverageLevel(-110, 10)).toBe(1);
    expect(coverageLevel(-100, 0)).toBe(1);
    expect(coverageLevel(-120, 10)).toBe(2);
    expect(coverageLevel(-100, -5)).toBe(2);
    expect(coverageLevel(-140, -20)).toBe(2);
    expect(coverageLevel(-105, 7)).toBe(0);
  });
});
