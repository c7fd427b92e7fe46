// Edits one typed field: a property (with access method) or a command/response parameter.
import { Button, Checkbox, Group, Modal, NumberInput, Select, Stack, TagsInput, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { accessMethods, dataTypes, type DataType, type Field, type Property } from '../../../core/contract/index.js';

const numeric: readonly DataType[] = ['int', 'long', 'decimal'];
const stringLike: readonly DataType[] = ['string', 'string list', 'enum', 'jsonObject', 'DateTime', 'binary'];
const enumAllowed: readonly DataType[] = ['enum', 'string', 'string list'];

export type FieldDraft = Field & Partial<Pick<Property, 'method'>>;

/** The same rules the core applies, for messages while typing. */
export function fieldProblems(
  field: FieldDraft,
  siblings: readonly string[],
): Partial<Record<keyof FieldDraft, string>> {
  const problems: Partial<Record<keyof FieldDraft, string>> = {};
  if (field.name.trim() === '') problems.name = 'required';
  else if (siblings.includes(field.name)) problems.name = 'duplicate';
  if (field.min !== undefined && field.max !== undefined && field.max < field.min) problems.max = 'maxBelowMin';
  if (field.step !== undefined && !(field.step > 0)) problems.step = 'stepPositive';
  if (field.enumList !== undefined && !enumAllowed.includes(field.dataType)) problems.enumList = 'enumNotAllowed';
  if (field.dataType === 'enum' && (field.enumList ?? []).length === 0) problems.enumList = 'enumMissing';
  if (field.maxLength !== undefined && !stringLike.includes(field.dataType)) problems.maxLength = 'maxLengthNotAllowed';
  return problems;
}

const toNumber = (v: string | number) => (v === '' || v === undefined ? undefined : Number(v));

export function FieldModal({
  opened,
  title,
  initial,
  withMethod,
  siblings,
  onClose,
  onSave,
}: {
  opened: boolean;
  title: string;
  initial: FieldDraft;
  withMethod: boolean;
  /** Names already used by the other fields of the same list. */
  siblings: readonly string[];
  onClose: () => void;
  onSave: (field: FieldDraft) => void;
}) {
  const { t } = useTranslation();
  // Mounted afresh for each edit (the caller keys it), so the draft starts from `initial`.
  const [field, setField] = useState<FieldDraft>(initial);
  const problems = fieldProblems(field, siblings);
  const message = (key: keyof FieldDraft) =>
    problems[key] ? t(`products.field.problems.${problems[key]}`) : undefined;
  const set = <K extends keyof FieldDraft>(key: K, value: FieldDraft[K]) => setField((f) => ({ ...f, [key]: value }));
  const isNumeric = numeric.includes(field.dataType);

  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg">
      <Stack gap="sm">
        <Group grow align="flex-start">
          <TextInput
            label={t('products.field.name')}
            value={field.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={message('name')}
            withAsterisk
            data-autofocus
          />
          <Select
            label={t('products.field.dataType')}
            data={[...dataTypes]}
            value={field.dataType}
            onChange={(v) => v && set('dataType', v)}
            allowDeselect={false}
          />
        </Group>
        {isNumeric && (
          <Group grow align="flex-start">
            <NumberInput
              label={t('products.field.min')}
              value={field.min ?? ''}
              onChange={(v) => set('min', toNumber(v))}
            />
            <NumberInput
              label={t('products.field.max')}
              value={field.max ?? ''}
              onChange={(v) => set('max', toNumber(v))}
              error={message('max')}
            />
            <NumberInput
              label={t('products.field.step')}
              value={field.step ?? ''}
              onChange={(v) => set('step', toNumber(v))}
              error={message('step')}
            />
          </Group>
        )}
        <Group grow align="flex-start">
          <TextInput
            label={t('products.field.unit')}
            value={field.unit ?? ''}
            onChange={(e) => set('unit', e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
          />
          {!isNumeric && (
            <NumberInput
              label={t('products.field.maxLength')}
              value={field.maxLength ?? ''}
              min={1}
              onChange={(v) => set('maxLength', toNumber(v))}
              error={message('maxLength')}
            />
          )}
          {withMethod && (
            <Select
              label={t('products.field.method')}
              data={[...accessMethods]}
              value={field.method ?? 'RE'}
              onChange={(v) => v && set('method', v)}
              allowDeselect={false}
            />
          )}
        </Group>
        {enumAllowed.includes(field.dataType) && (
          <TagsInput
            label={t('products.field.enumList')}
            description={t('products.field.enumHint')}
            value={field.enumList ?? []}
            onChange={(v) => set('enumList', v.length === 0 ? undefined : v)}
            error={message('enumList')}
          />
        )}
        <TextInput
          label={t('products.field.description')}
          value={field.description ?? ''}
          onChange={(e) => set('description', e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
        />
        <Checkbox
          label={t('products.field.required')}
          checked={field.required}
          onChange={(e) => set('required', e.currentTarget.checked)}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('products.common.cancel')}
          </Button>
          <Button
            disabled={Object.keys(problems).length > 0}
            onClick={() => {
              // Values that do not apply to the chosen type are dropped, not kept invisibly.
              const clean: FieldDraft = {
                ...field,
                ...(isNumeric ? { maxLength: undefined } : { min: undefined, max: undefined, step: undefined }),
                enumList: enumAllowed.includes(field.dataType) ? field.enumList : undefined,
              };
              onSave(clean);
            }}
          >
            {t('products.common.apply')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
