// The bring-up flow's module steps (issue 8), each runnable alone and returning its result with the AT evidence,
// and what the flow needs from the platform (`BringUpPlatform`, implemented in bring-up-platform.ts).
import type { AtResult, BringUpEvidence } from '../contract/serial.js';
import type { AtRunner } from './at/at-runner.js';

/** The part of the AT runner the steps use (a fake in unit tests). */
export type AtCommandRunner = Pick<AtRunner, 'run'>;

export type BringUpStepResult<T> =
  | { ok: true; value: T; evidence: BringUpEvidence[] }
  /** `message` says what went wrong, in words. */
  | { ok: false; message: string; evidence: BringUpEvidence[] };

const failed = <T>(message: string, evidence: BringUpEvidence[]): BringUpStepResult<T> => ({
  ok: false,
  message,
  evidence,
});
const atEvidence = (result: AtResult): BringUpEvidence => ({ kind: 'at', result });

export function describeAtFailure(result: AtResult): string {
  if (result.final === 'timeout') return `${result.command}: no answer within the timeout`;
  if (result.final === 'cme-error') return `${result.command}: +CME ERROR ${result.cmeError ?? ''}`.trim();
  if (result.final === 'error') return `${result.command}: ERROR`;
  return `${result.command}: ${result.parseError ?? 'unexpected response'}`;
}

/** Step 1: the module's IMEI, which becomes the device's node ID (reference §9.1). */
export async function readModuleImei(runner: AtCommandRunner): Promise<BringUpStepResult<string>> {
  const result = await runner.run('AT+CGSN=1');
  const imei = result.fields?.imei;
  return typeof imei === 'string' && result.final === 'ok'
    ? { ok: true, value: imei, evidence: [atEvidence(result)] }
    : failed(describeAtFailure(result), [atEvidence(result)]);
}

/** Step 3: radio off, set the CDP server, read it back (the reboot of step 4 applies it). */
export async function pointModuleAtPlatform(
  runner: AtCommandRunner,
  server: { host: string; port: number },
): Promise<BringUpStepResult<{ host: string; port: number }>> {
  const evidence: BringUpEvidence[] = [];
  for (const command of ['AT+CFUN=0', `AT+NCDP=${server.host},${server.port}`]) {
    const result = await runner.run(command);
    evidence.push(atEvidence(result));
    if (result.final !== 'ok') return failed(describeAtFailure(result), evidence);
  }
  const check = await runner.run('AT+NCDP?');
  evidence.push(atEvidence(check));
  if (check.fields?.server !== server.host || check.fields.port !== server.port) {
    return failed(
      `the module reports CDP ${String(check.fields?.server ?? '?')}:${String(check.fields?.port ?? '?')}, not ${server.host}:${server.port}`,
      evidence,
    );
  }
  return { ok: true, value: server, evidence };
}

/** Step 4: reboot; the module comes back with the boot banner and OK. */
export async function rebootModule(runner: AtCommandRunner, timeoutMs = 15_000): Promise<BringUpStepResult<true>> {
  const result = await runner.run('AT+NRB', timeoutMs);
  return result.final === 'ok'
    ? { ok: true, value: true, evidence: [atEvidence(result)] }
    : failed(describeAtFailure(result), [atEvidence(result)]);
}

/** Step 6's optional test frame: AT+NMGS sends the bytes as an uplink (a notify on /19/0/0). */
export async function sendTestUplink(runner: AtCommandRunner, hex: string): Promise<BringUpStepResult<true>> {
  const result = await runner.run(`AT+NMGS=${hex.length / 2},${hex.toUpperCase()}`);
  if (result.final === 'ok') return { ok: true, value: true, evidence: [atEvidence(result)] };
  const hint =
    result.final === 'error' ? ' (the module is not registered, or the platform has not observed /19/0/0 yet)' : '';
  return failed(describeAtFailure(result) + hint, [atEvidence(result)]);
}

export interface WaitOptions {
  /** Only events at or after this time count. */
  since: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What the flow needs from the platform: device registry, LwM2M registrations and decoded uplinks. */
export interface BringUpPlatform {
  /** Why the product cannot take the module (missing, not CoAP/LwM2M), or undefined when it can. */
  productProblem(productId: string): { code: string; message: string } | undefined;
  /** The CDP server a module should use when the user does not pick one. */
  defaultServer(): { host: string; port: number } | undefined;
  /** Step 2: find the device with this node ID under the product, or register it. */
  findOrRegisterDevice(productId: string, imei: string): BringUpStepResult<{ deviceId: string; created: boolean }>;
  /** The device with this node ID under the product, if registered. */
  findDevice(productId: string, imei: string): { deviceId: string; online: boolean } | undefined;
  /** Starts watching CoAP traffic for registrations; the flow holds it while it runs (a reboot registers at once). */
  watch(): () => void;
  /** Step 5: the device's LwM2M registration (ep = IMEI) with its CoAP evidence. */
  waitForRegistration(deviceId: string, imei: string, options: WaitOptions): Promise<BringUpStepResult<{ at: number }>>;
  /** Step 6: the first uplink decoded by the product's codec. */
  waitForDecodedUplink(
    deviceId: string,
    imei: string,
    options: WaitOptions,
  ): Promise<BringUpStepResult<{ serviceId: string; data: Record<string, unknown> }>>;
}
