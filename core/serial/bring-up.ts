// The bring-up flow's steps (issue 8), each runnable alone and returning its result with the AT evidence.
// The platform steps need the device registry and the LwM2M server, which do not exist yet: they are declared
// here as the `BringUpPlatform` interface so the flow and the wizard can be finished once those land.
import type { AtResult } from '../contract/serial.js';
import type { AtRunner } from './at/at-runner.js';

export interface BringUpStepResult<T> {
  ok: boolean;
  value?: T;
  /** What went wrong, in words, when not ok. */
  message?: string;
  /** The AT exchanges of this step, shown beside its result. */
  evidence: AtResult[];
}

const failed = <T>(message: string, evidence: AtResult[]): BringUpStepResult<T> => ({ ok: false, message, evidence });

function describeFailure(result: AtResult): string {
  if (result.final === 'timeout') return `${result.command}: no answer within the timeout`;
  if (result.final === 'cme-error') return `${result.command}: +CME ERROR ${result.cmeError ?? ''}`.trim();
  if (result.final === 'error') return `${result.command}: ERROR`;
  return `${result.command}: ${result.parseError ?? 'unexpected response'}`;
}

/** Step 1: the module's IMEI, which becomes the device's node ID (reference §9.1). */
export async function readModuleImei(runner: AtRunner): Promise<BringUpStepResult<string>> {
  const result = await runner.run('AT+CGSN=1');
  const imei = result.fields?.imei;
  return typeof imei === 'string' && result.final === 'ok'
    ? { ok: true, value: imei, evidence: [result] }
    : failed(describeFailure(result), [result]);
}

/** Step 3: radio off, set the CDP server, read it back (the reboot of step 4 applies it). */
export async function pointModuleAtPlatform(
  runner: AtRunner,
  server: { host: string; port: number },
): Promise<BringUpStepResult<{ host: string; port: number }>> {
  const evidence: AtResult[] = [];
  for (const command of ['AT+CFUN=0', `AT+NCDP=${server.host},${server.port}`]) {
    const result = await runner.run(command);
    evidence.push(result);
    if (result.final !== 'ok') return failed(describeFailure(result), evidence);
  }
  const check = await runner.run('AT+NCDP?');
  evidence.push(check);
  if (check.fields?.server !== server.host || check.fields.port !== server.port) {
    return failed(
      `the module reports CDP ${String(check.fields?.server ?? '?')}:${String(check.fields?.port ?? '?')}, not ${server.host}:${server.port}`,
      evidence,
    );
  }
  return { ok: true, value: server, evidence };
}

/** Step 4: reboot; the module comes back with the boot banner and OK. */
export async function rebootModule(runner: AtRunner, timeoutMs = 15_000): Promise<BringUpStepResult<true>> {
  const result = await runner.run('AT+NRB', timeoutMs);
  return result.final === 'ok'
    ? { ok: true, value: true, evidence: [result] }
    : failed(describeFailure(result), [result]);
}

/** What the flow needs from the platform (device registry, LwM2M server, codecs) — not built yet. */
export interface BringUpPlatform {
  /** Step 2: find the device with this node ID under the product, or register it. */
  findOrRegisterDevice(productId: string, imei: string): Promise<{ deviceId: string; created: boolean }>;
  /** Step 5: resolves when the device registers over LwM2M (with the CoAP evidence), or rejects on timeout. */
  waitForRegistration(deviceId: string, timeoutMs: number): Promise<{ at: number; evidence: string[] }>;
  /** Step 6: the first uplink decoded by the product's codec. */
  waitForDecodedUplink(
    deviceId: string,
    timeoutMs: number,
  ): Promise<{ serviceId: string; data: Record<string, unknown> }>;
}
