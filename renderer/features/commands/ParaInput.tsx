// One command para as a typed input with the model's limits: numbers with min/max/step, enums as a select,
// booleans as a switch, text with its max length, JSON objects and string lists as JSON.
import { NumberInput, Select, Switch, Textarea, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Field } from '../../../core/contract/index.js';

export type ParaDraft = string | number | boolean | undefined;

/** The draft value as the command's JSON value, or an error key when it is not valid JSON. */
export function paraValue(field: Field, draft: ParaDraft): { value?: unknown; error?: string } {
  if (draft === undefined || draft === '') return {};
  if (field.dataType === 'jsonObject' || field.dataType === 'string list') {
    try {
      return { value: JSON.parse(String(draft)) as unknown };
    } catch {
      return { error: 'commands.form.badJson' };
    }
  }
  return { value: draft };
}

export function ParaInput({
  field,
  value,
  onChange,
  error,
}: {
  field: Field;
  value: ParaDraft;
  onChange: (value: ParaDraft) => void;
  error?: string | undefined;
}) {
  const { t } = useTranslation();
  const limits = [
    field.min !== undefined ? `≥ ${field.min}` : '',
    field.max !== undefined ? `≤ ${field.max}` : '',
    field.maxLength !== undefined ? t('commands.form.maxLength', { count: field.maxLength }) : '',
    field.unit ?? '',
  ]
    .filter(Boolean)
    .join(' · ');
  const common = {
    label: field.name,
    description: [field.dataType, limits, field.description].filter(Boolean).join(' · '),
    required: field.required,
    error,
    'data-para': field.name,
  };
  switch (field.dataType) {
    case 'int':
    case 'long':
    case 'decimal':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : undefined)}
          {...(field.min !== undefined ? { min: field.min } : {})}
          {...(field.max !== undefined ? { max: field.max } : {})}
          {...(field.step !== undefined ? { step: field.step } : {})}
          allowDecimal={field.dataType === 'decimal'}
        />
      );
    case 'enum':
      return (
        <Select
          {...common}
          data={field.enumList ?? []}
          value={typeof value === 'string' ? value : null}
          onChange={(v) => onChange(v ?? undefined)}
          clearable={!field.required}
        />
      );
    case 'boolean':
      return (
        <Switch
          label={field.name}
          description={common.description}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          data-para={field.name}
        />
      );
    case 'jsonObject':
    case 'string list':
      return (
        <Textarea
          {...common}
          ff="monospace"
          autosize
          minRows={2}
          placeholder={field.dataType === 'string list' ? '["a", "b"]' : '{"key": 1}'}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          {...(field.maxLength !== undefined ? { maxLength: field.maxLength } : {})}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}
