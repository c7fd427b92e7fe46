// Form logic for the port settings: draft values, client-side validation with the contract's schema, changes to send.
import { settingsSchema, type Settings } from '../../../core/contract/index.js';

export type SettingsField = keyof Settings;
export const settingsFields: readonly SettingsField[] = ['mqttPort', 'coapPort', 'deviceBindAddress'];

export interface SettingsDraft {
  mqttPort: number | string;
  coapPort: number | string;
  deviceBindAddress: string;
}

/** Messages shown under the fields, by field. */
export type FieldErrors = Partial<Record<SettingsField, string>>;

/** i18n key of the message for a field that fails client-side validation. */
export const fieldErrorKeys: Record<SettingsField, string> = {
  mqttPort: 'settings.ports.invalidPort',
  coapPort: 'settings.ports.invalidPort',
  deviceBindAddress: 'settings.ports.invalidAddress',
};

export function draftFrom(settings: Settings): SettingsDraft {
  return { ...settings };
}

function isSettingsField(value: unknown): value is SettingsField {
  return typeof value === 'string' && (settingsFields as readonly string[]).includes(value);
}

/** Parses the draft with the same schema the core uses and names the fields that are wrong. */
export function validateDraft(draft: SettingsDraft): { settings?: Settings; invalidFields: SettingsField[] } {
  const candidate = {
    mqttPort: typeof draft.mqttPort === 'number' ? draft.mqttPort : Number.NaN,
    coapPort: typeof draft.coapPort === 'number' ? draft.coapPort : Number.NaN,
    deviceBindAddress: draft.deviceBindAddress.trim(),
  };
  const parsed = settingsSchema.safeParse(candidate);
  if (parsed.success) return { settings: parsed.data, invalidFields: [] };
  const invalidFields = new Set<SettingsField>();
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (isSettingsField(field)) invalidFields.add(field);
  }
  return { invalidFields: [...invalidFields] };
}

/** Only what differs from the saved settings is sent. */
export function changedSettings(saved: Settings, next: Settings): Partial<Settings> {
  const changes: Partial<Settings> = {};
  if (saved.mqttPort !== next.mqttPort) changes.mqttPort = next.mqttPort;
  if (saved.coapPort !== next.coapPort) changes.coapPort = next.coapPort;
  if (saved.deviceBindAddress !== next.deviceBindAddress) changes.deviceBindAddress = next.deviceBindAddress;
  return changes;
}

export function differsFromActive(saved: Settings, active: Settings): boolean {
  return settingsFields.some((field) => saved[field] !== active[field]);
}

/** Maps an API error path such as `body.mqttPort` or `mqttPort` to a form field. */
export function fieldFromErrorPath(path: string | undefined): SettingsField | undefined {
  if (path === undefined) return undefined;
  const last = path.replace(/^body[./]?/, '').split(/[./]/)[0];
  return isSettingsField(last) ? last : undefined;
}
