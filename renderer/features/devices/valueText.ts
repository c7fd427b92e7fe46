// A reported value as plain text (values are device-controlled: always rendered as text, never as HTML).
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}
