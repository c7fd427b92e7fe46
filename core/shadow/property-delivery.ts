// How writable property values reach a device through core/commands: an IoTDA device takes them as one
// `sys/properties/set`; a legacy MQTT or LwM2M device as model commands (encoded by the codec when it has one): a
// command of the service whose paras are named like the properties, else `SET_<PROPERTY>` with one para.
import type { CommandStatus, CreateCommandInput, DeviceCommand } from '../contract/commands.js';
import type { ProductModel } from '../contract/product-model.js';
import type { DeviceLink } from '../device-link/index.js';

/** How long a delivery command may wait in the device's command queue (it is made only while the device is online). */
export const DELIVERY_EXPIRE_S = 600;

/** What property delivery needs of core/commands (its CommandService). */
export interface CommandPort {
  create(deviceId: string, input: CreateCommandInput): Promise<DeviceCommand>;
  view(commandId: string): DeviceCommand;
}

export type PropertyCommand = Pick<CreateCommandInput, 'kind' | 'serviceId' | 'method' | 'paras'>;

export type DeliveryPlan = { ok: true; commands: PropertyCommand[] } | { ok: false; reason: string };

/** `temperatureReadPeriod` → `TEMPERATURE_READ_PERIOD`, the profile guide's command naming. */
export const upperSnake = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();

/**
 * The commands that carry `properties` of one service. `current` gives the values of other properties a command's
 * required paras need (the device's reported or desired values).
 */
export function planPropertyDelivery(
  model: ProductModel,
  serviceId: string,
  properties: Record<string, unknown>,
  route: 'propertiesSet' | 'command',
  current: Record<string, unknown> = {},
): DeliveryPlan {
  if (Object.keys(properties).length === 0) return { ok: true, commands: [] };
  if (route === 'propertiesSet')
    return { ok: true, commands: [{ kind: 'propertiesSet', serviceId, method: '', paras: { ...properties } }] };
  const service = model.services.find((s) => s.serviceId === serviceId);
  if (!service) return { ok: false, reason: `the model has no service ${serviceId}` };
  const remaining = new Set(Object.keys(properties));
  const commands: PropertyCommand[] = [];
  const propertyNames = new Set(service.properties.map((p) => p.name));
  const valueOf = (name: string) => (name in properties ? properties[name] : current[name]);
  // Commands whose paras are all properties, the ones covering most of what is left first.
  const byProperties = service.commands
    .filter((c) => c.paras.length > 0 && c.paras.every((p) => propertyNames.has(p.name)))
    .sort((a, b) => b.paras.length - a.paras.length);
  for (const command of byProperties) {
    if (!command.paras.some((p) => remaining.has(p.name))) continue;
    if (command.paras.some((p) => p.required && valueOf(p.name) === undefined)) continue;
    const paras: Record<string, unknown> = {};
    for (const p of command.paras) if (valueOf(p.name) !== undefined) paras[p.name] = valueOf(p.name);
    for (const p of command.paras) remaining.delete(p.name);
    commands.push({ kind: 'command', serviceId, method: command.name, paras });
  }
  for (const name of [...remaining]) {
    const setter = service.commands.find((c) => c.name === `SET_${upperSnake(name)}` && c.paras.length === 1);
    const para = setter?.paras[0];
    if (!setter || !para) continue;
    commands.push({ kind: 'command', serviceId, method: setter.name, paras: { [para.name]: properties[name] } });
    remaining.delete(name);
  }
  if (remaining.size > 0) {
    const names = [...remaining].join(', ');
    return {
      ok: false,
      reason: `service ${serviceId} has no command that sets ${names} (a command with paras named like the properties, or SET_${upperSnake([...remaining][0] ?? '')} with one para)`,
    };
  }
  return { ok: true, commands };
}

const FAILED: readonly CommandStatus[] = ['FAILED', 'TIMEOUT', 'EXPIRED', 'CANCELED'];
const REACHED: readonly CommandStatus[] = ['DELIVERED', 'SUCCESSFUL'];

/** A delivery of several commands: failed as soon as one failed, delivered once the device took every one. */
export function deliveryOutcome(statuses: readonly CommandStatus[]): 'open' | 'delivered' | 'failed' {
  if (statuses.some((s) => FAILED.includes(s))) return 'failed';
  return statuses.every((s) => REACHED.includes(s)) ? 'delivered' : 'open';
}

/** The English reason the first failed command of a delivery gives. */
export function failureReason(commands: readonly DeviceCommand[]): string {
  const failed = commands.find((c) => FAILED.includes(c.status));
  if (!failed) return 'the delivery failed';
  return `${failed.method || failed.kind} ${failed.status}${failed.result?.reason ? `: ${failed.result.reason}` : ''}`;
}

/** Where a delivery's commands stand; a command that is gone (its device was deleted) counts as failed. */
export function deliveryState(
  commands: CommandPort,
  commandIds: readonly string[],
): { outcome: 'open' | 'delivered' | 'failed'; commands: DeviceCommand[]; reason?: string } {
  const found = commandIds.flatMap((id) => {
    try {
      return [commands.view(id)];
    } catch {
      return [];
    }
  });
  if (found.length < commandIds.length) return { outcome: 'failed', commands: found, reason: 'a command is gone' };
  const outcome = deliveryOutcome(found.map((c) => c.status));
  return outcome === 'failed'
    ? { outcome, commands: found, reason: failureReason(found) }
    : { outcome, commands: found };
}

export type SendResult = { sent: true; commandIds: string[] } | { sent: false; reachable: boolean; reason: string };

/** Sends property values of several services to a reachable device as cached commands (one delivery). */
export async function sendProperties(
  link: DeviceLink,
  commands: CommandPort,
  device: { deviceId: string; model: ProductModel },
  values: Record<string, Record<string, unknown>>,
  current: (serviceId: string) => Record<string, unknown>,
): Promise<SendResult> {
  const protocol = link.reachableBy(device.deviceId);
  if (!protocol) return { sent: false, reachable: false, reason: 'the device is not online' };
  const route = protocol === 'mqtt' && link.mqtt.dialectOf(device.deviceId) === 'iotda' ? 'propertiesSet' : 'command';
  const planned: PropertyCommand[] = [];
  for (const [serviceId, properties] of Object.entries(values)) {
    const plan = planPropertyDelivery(device.model, serviceId, properties, route, current(serviceId));
    if (!plan.ok) return { sent: false, reachable: true, reason: plan.reason };
    planned.push(...plan.commands);
  }
  const commandIds: string[] = [];
  try {
    for (const c of planned) {
      const created = await commands.create(device.deviceId, {
        ...c,
        expireTime: DELIVERY_EXPIRE_S,
        maxRetransmit: 0,
        raw: false,
      });
      commandIds.push(created.commandId);
    }
  } catch (error) {
    // The model refused a command (a value out of its para's range): nothing more goes out for this delivery.
    if (commandIds.length > 0) return { sent: true, commandIds };
    return { sent: false, reachable: true, reason: error instanceof Error ? error.message : String(error) };
  }
  return { sent: true, commandIds };
}
