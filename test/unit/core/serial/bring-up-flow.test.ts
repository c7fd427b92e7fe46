// The bring-up orchestration with a fake AT runner and a fake platform: order, failure stops the flow with its
// reason, steps run alone and re-run, cancel, and what the steps hand the platform.
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../../core/clock.js';
import type { AtResult, BringUpState } from '../../../../core/contract/serial.js';
import { BringUpAlreadyRunning, BringUpFlow, type BringUpRequest } from '../../../../core/serial/bring-up-flow.js';
import type { AtCommandRunner, BringUpPlatform, WaitOptions } from '../../../../core/serial/bring-up.js';

const IMEI = '861234567890123';

function fakeRunner(answers: Record<string, Partial<AtResult>> = {}) {
  const sent: string[] = [];
  let cdp = '';
  const runner: AtCommandRunner = {
    run(command) {
      sent.push(command);
      if (command.startsWith('AT+NCDP=')) cdp = command.slice(8);
      const [host, port] = cdp.split(',');
      const defaults: Record<string, Partial<AtResult>> = {
        'AT+CGSN=1': { lines: [`+CGSN:${IMEI}`], fields: { imei: IMEI } },
        'AT+NCDP?': { fields: { server: host ?? '', port: Number(port) } },
      };
      const answer = answers[command] ?? defaults[command] ?? {};
      return Promise.resolve({ command, final: 'ok', lines: [], urcs: [], durationMs: 1, ...answer });
    },
  };
  return { runner, sent };
}

function fakePlatform(overrides: Partial<BringUpPlatform> = {}) {
  const calls: string[] = [];
  const waits: WaitOptions[] = [];
  let registered = false;
  const platform: BringUpPlatform = {
    productProblem: () => undefined,
    defaultServer: () => ({ host: '127.0.0.1', port: 5683 }),
    findDevice: (productId, imei) => (registered ? { deviceId: `${productId}_${imei}`, online: false } : undefined),
    findOrRegisterDevice(productId, imei) {
      calls.push(`register ${imei}`);
      registered = true;
      return { ok: true, value: { deviceId: `${productId}_${imei}`, created: true }, evidence: [] };
    },
    watch: () => () => undefined,
    waitForRegistration(deviceId, imei, options) {
      calls.push(`wait registration ${deviceId}`);
      waits.push(options);
      return Promise.resolve({
        ok: true,
        value: { at: options.since + 5 },
        evidence: [
          { kind: 'coap', at: options.since + 5, direction: 'out', peer: '127.0.0.1:1', summary: '2.01 Created /rd/1' },
        ],
      });
    },
    waitForDecodedUplink(deviceId, _imei, options) {
      calls.push(`wait uplink ${deviceId}`);
      waits.push(options);
      return Promise.resolve({ ok: true, value: { serviceId: 'Battery', data: { batteryLevel: 85 } }, evidence: [] });
    },
    ...overrides,
  };
  return { platform, calls, waits, setRegistered: (v: boolean) => (registered = v) };
}

const request = (extra: Partial<BringUpRequest> = {}): BringUpRequest => ({
  productId: 'p1',
  registrationTimeoutS: 5,
  uplinkTimeoutS: 5,
  ...extra,
});

function setup(answers?: Record<string, Partial<AtResult>>, overrides?: Partial<BringUpPlatform>) {
  const clock = createManualClock();
  const at = fakeRunner(answers);
  const fake = fakePlatform(overrides);
  const changes: BringUpState[] = [];
  const flow = new BringUpFlow('s1', {
    runner: at.runner,
    platform: fake.platform,
    clock,
    onChange: (s) => changes.push(s),
  });
  return { clock, flow, changes, ...at, ...fake };
}

const states = (state: BringUpState) => Object.fromEntries(state.steps.map((s) => [s.id, s.state]));

describe('bring-up flow', () => {
  it('runs the six steps in order, each with its result and evidence, and reports every change', async () => {
    const { flow, sent, calls, changes } = setup();
    const done = await flow.run(request({ uplinkHex: '025514' }));
    expect(states(done)).toEqual({
      imei: 'ok',
      register: 'ok',
      cdp: 'ok',
      reboot: 'ok',
      registration: 'ok',
      uplink: 'ok',
    });
    expect(sent).toEqual([
      'AT+CGSN=1',
      'AT+CFUN=0',
      'AT+NCDP=127.0.0.1,5683',
      'AT+NCDP?',
      'AT+NRB',
      'AT+NMGS=3,025514',
    ]);
    expect(calls).toEqual([`register ${IMEI}`, `wait registration p1_${IMEI}`, `wait uplink p1_${IMEI}`]);
    expect(done).toMatchObject({ imei: IMEI, deviceId: `p1_${IMEI}`, server: { host: '127.0.0.1', port: 5683 } });
    expect(done.uplink).toEqual({ serviceId: 'Battery', data: { batteryLevel: 85 } });
    expect(done.steps.find((s) => s.id === 'uplink')?.result).toEqual({ serviceId: 'Battery', batteryLevel: 85 });
    expect(done.steps.find((s) => s.id === 'registration')?.evidence[0]).toMatchObject({ kind: 'coap' });
    expect(done.running).toBe(false);
    // The UI sees each step go running before it settles.
    expect(changes.some((c) => c.running && c.steps.find((s) => s.id === 'reboot')?.state === 'running')).toBe(true);
    expect(changes.at(-1)?.running).toBe(false);
  });

  it('stops at a failed step with the reason and marks the later steps skipped', async () => {
    const { flow, calls, sent } = setup({ 'AT+NCDP=127.0.0.1,5683': { final: 'error' } });
    const done = await flow.run(request());
    expect(states(done)).toEqual({
      imei: 'ok',
      register: 'ok',
      cdp: 'failed',
      reboot: 'skipped',
      registration: 'skipped',
      uplink: 'skipped',
    });
    expect(done.steps.find((s) => s.id === 'cdp')?.message).toBe('AT+NCDP=127.0.0.1,5683: ERROR');
    expect(done.steps.find((s) => s.id === 'reboot')?.message).toBe('step "cdp" failed');
    expect(sent).not.toContain('AT+NRB');
    expect(calls).toEqual([`register ${IMEI}`]);
  });

  it('re-runs a failed step alone, then continues the flow from the next step', async () => {
    const answers: Record<string, Partial<AtResult>> = { 'AT+NCDP=127.0.0.1,5683': { final: 'timeout' } };
    const { flow, sent } = setup(answers);
    await flow.run(request());
    delete answers['AT+NCDP=127.0.0.1,5683'];
    const retried = await flow.run(request({ step: 'cdp' }));
    expect(states(retried)).toMatchObject({ imei: 'ok', register: 'ok', cdp: 'ok', reboot: 'skipped' });
    const rest = await flow.run(request({ from: 'reboot' }));
    expect(states(rest)).toEqual({
      imei: 'ok',
      register: 'ok',
      cdp: 'ok',
      reboot: 'ok',
      registration: 'ok',
      uplink: 'ok',
    });
    expect(sent.filter((c) => c === 'AT+CGSN=1')).toHaveLength(1);
  });

  it('runs a step alone before step 1: reads the IMEI itself and shows that exchange', async () => {
    const { flow, calls } = setup();
    const alone = await flow.run(request({ step: 'register' }));
    expect(states(alone)).toMatchObject({ imei: 'pending', register: 'ok' });
    const register = alone.steps.find((s) => s.id === 'register');
    expect(register?.evidence[0]).toMatchObject({ kind: 'at', result: { command: 'AT+CGSN=1' } });
    expect(calls).toEqual([`register ${IMEI}`]);
  });

  it('waits for the registration from the start of the reboot, since the module registers right after it boots', async () => {
    const { flow, clock, waits } = setup();
    await flow.run(request({ step: 'register' }));
    const rebootAt = clock.now();
    const reboot = flow.run(request({ step: 'reboot' }));
    await reboot;
    clock.advance(10_000);
    await flow.run(request({ step: 'registration', registrationTimeoutS: 7 }));
    expect(waits[0]).toMatchObject({ since: rebootAt, timeoutMs: 7000 });
  });

  it('asks for step 2 when the registration is awaited for a device that is not registered', async () => {
    const { flow } = setup();
    const done = await flow.run(request({ step: 'registration' }));
    expect(done.steps.find((s) => s.id === 'registration')).toMatchObject({
      state: 'failed',
      message: `no device with node ID ${IMEI} under product p1: run step 2`,
    });
  });

  it('fails the uplink step with a hint when AT+NMGS is refused, without waiting out the timeout', async () => {
    let aborted = false;
    const { flow } = setup(
      { 'AT+NMGS=2,AABB': { final: 'error' } },
      {
        waitForDecodedUplink: (_d, _i, options) =>
          new Promise((resolve) =>
            options.signal?.addEventListener('abort', () => {
              aborted = true;
              resolve({ ok: false, message: 'cancelled', evidence: [] });
            }),
          ),
      },
    );
    const done = await flow.run(request({ uplinkHex: 'aabb' }));
    expect(aborted).toBe(true);
    expect(done.steps.find((s) => s.id === 'uplink')?.message).toMatch(
      /^AT\+NMGS=2,AABB: ERROR \(the module is not registered/,
    );
  });

  it('refuses a second run while one is running, and cancel fails the waiting step as cancelled', async () => {
    const { flow } = setup(undefined, {
      waitForRegistration: (_d, _i, options) =>
        new Promise((resolve) =>
          options.signal?.addEventListener('abort', () => resolve({ ok: false, message: 'cancelled', evidence: [] })),
        ),
    });
    const running = flow.run(request());
    expect(flow.running).toBe(true);
    expect(() => flow.run(request())).toThrow(BringUpAlreadyRunning);
    await new Promise((r) => setTimeout(r, 10));
    expect(states(flow.snapshot()).registration).toBe('running');
    flow.cancel();
    const done = await running;
    expect(states(done)).toMatchObject({ registration: 'failed', uplink: 'skipped' });
    expect(done.steps.find((s) => s.id === 'registration')?.message).toBe('cancelled');
  });

  it('starts over when another product is chosen, keeping the IMEI already read', async () => {
    const { flow } = setup();
    await flow.run(request({ step: 'imei' }));
    const other = await flow.run(request({ productId: 'p2', step: 'cdp' }));
    expect(other).toMatchObject({ productId: 'p2', imei: IMEI });
    expect(states(other)).toMatchObject({ imei: 'pending', cdp: 'ok' });
  });
});
