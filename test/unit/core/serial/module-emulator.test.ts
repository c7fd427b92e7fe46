import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../../core/clock.js';
import { AtRunner, type AtTransport } from '../../../../core/serial/at/at-runner.js';
import { pointModuleAtPlatform, readModuleImei, rebootModule } from '../../../../core/serial/bring-up.js';
import { ModuleEmulator, type LwM2mClient } from '../../../../core/serial/module-sim/module-emulator.js';

function wired(emulator: ModuleEmulator): AtTransport {
  return {
    onData: (listener) => emulator.onOutput(listener),
    write: (bytes) => Promise.resolve(emulator.receive(bytes)),
  };
}

function setup(options: Partial<ConstructorParameters<typeof ModuleEmulator>[0]> = {}) {
  const clock = createManualClock();
  const emulator = new ModuleEmulator({ clock, imei: '861234567890123', ...options });
  return { clock, emulator, runner: new AtRunner(wired(emulator), clock) };
}

describe('module emulator', () => {
  it('answers identity commands with the configured IMEI', async () => {
    const { runner } = setup();
    expect((await runner.run('AT+CGSN=1')).fields).toEqual({ imei: '861234567890123' });
    expect((await runner.run('AT+CIMI')).fields).toEqual({ imsi: '460111174590523' });
    expect((await runner.run('AT+NCCID')).fields?.iccid).toBe('89860317492037539526');
  });

  it('reports configurable radio values in NUESTATS with the coverage level', async () => {
    const { runner } = setup({ radio: { rsrpDbm: -118.5, sinrDb: -4, ecl: 2 } });
    const result = await runner.run('AT+NUESTATS');
    expect(result.fields).toMatchObject({ rsrpDbm: -118.5, sinrDb: -4, ecl: 2, coverageLevel: 2 });
  });

  it('stores the CDP server and hands NMGS bytes to the LwM2M client', async () => {
    const sent: string[] = [];
    let deliver: ((bytes: Uint8Array) => void) | undefined;
    const lwm2m: LwM2mClient = {
      connect: () => Promise.resolve(),
      sendUplink: (bytes) => Promise.resolve(void sent.push(Buffer.from(bytes).toString('hex'))),
      onDownlink: (listener) => (deliver = listener),
      close: () => Promise.resolve(),
    };
    const { runner } = setup({ lwm2m });
    expect((await runner.run('AT+NMGS=2,AABB')).final).toBe('error');
    expect((await runner.run('AT+NCDP=192.168.1.20,5683')).final).toBe('ok');
    expect((await runner.run('AT+NCDP?')).fields).toEqual({ server: '192.168.1.20', port: 5683 });
    expect((await runner.run('AT+NMGS=2,AABB')).final).toBe('ok');
    expect((await runner.run('AT+NMGS=3,AABB')).cmeError).toBe(50);
    expect(sent).toEqual(['aabb']);
    expect((await runner.run('AT+NQMGS')).fields).toEqual({ pending: 0, sent: 1, error: 1 });

    // Mode 2: bare URC, data read with NMGR.
    await runner.run('AT+NNMI=2');
    deliver?.(Uint8Array.of(1, 2, 3));
    const read = await runner.run('AT+NMGR');
    expect(read.fields).toEqual({ length: 3, hex: '010203' });
    expect((await runner.run('AT+NQMGR')).fields).toEqual({ buffered: 0, received: 1, dropped: 0 });
  });

  it('delivers downlinks as +NNMI:<len>,<hex> URCs in mode 1', () => {
    const { emulator } = setup();
    const out: string[] = [];
    emulator.onOutput((b) => out.push(Buffer.from(b).toString('latin1')));
    emulator.deliverDownlink(Uint8Array.of(0xde, 0xad));
    expect(out.join('')).toBe('\r\n+NNMI:2,DEAD\r\n');
  });

  it('reboots on AT+NRB with REBOOTING, the boot banner and OK after the reboot time', async () => {
    const { runner, clock } = setup({ rebootMs: 500 });
    const pending = runner.run('AT+NRB', 5000);
    await Promise.resolve();
    await Promise.resolve();
    clock.advance(500);
    const result = await pending;
    expect(result.final).toBe('ok');
    expect(result.lines).toEqual(['REBOOTING']);
    expect(result.urcs).toContain('Boot: Unsigned');
  });

  it('answers unknown commands with ERROR', async () => {
    const { runner } = setup();
    expect((await runner.run('AT+FOO')).final).toBe('error');
  });
});

describe('bring-up steps against the emulator', () => {
  it('reads the IMEI, points the module at the platform and reboots it, each with its AT evidence', async () => {
    const { runner, clock, emulator } = setup({ rebootMs: 100 });
    const imei = await readModuleImei(runner);
    expect(imei).toMatchObject({ ok: true, value: '861234567890123' });
    expect(imei.evidence[0]?.kind === 'at' && imei.evidence[0].result.command).toBe('AT+CGSN=1');

    const pointed = await pointModuleAtPlatform(runner, { host: '192.168.1.20', port: 5683 });
    expect(pointed.ok).toBe(true);
    expect(pointed.evidence.map((e) => (e.kind === 'at' ? e.result.command : e.kind))).toEqual([
      'AT+CFUN=0',
      'AT+NCDP=192.168.1.20,5683',
      'AT+NCDP?',
    ]);
    expect(emulator.cdp).toEqual({ host: '192.168.1.20', port: 5683 });

    const rebooting = rebootModule(runner);
    await Promise.resolve();
    await Promise.resolve();
    clock.advance(100);
    expect((await rebooting).ok).toBe(true);
    expect(emulator.cfun).toBe(1);
  });

  it('reports a failing step in words', async () => {
    const { runner } = setup();
    const pointed = await pointModuleAtPlatform(runner, { host: 'bad host!', port: 5683 });
    expect(pointed).toMatchObject({ ok: false, message: 'AT+NCDP=bad host!,5683: ERROR' });
  });
});
