// A list of typed fields (properties, parameters) with add, edit and remove, and the core's findings per row.
import { ActionIcon, Badge, Button, Group, Table, Text } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelIssueView } from '../../../core/contract/index.js';
import { FieldModal, type FieldDraft } from './FieldModal.js';

function range(field: FieldDraft): string {
  if (field.enumList) return field.enumList.join(' | ');
  if (field.min !== undefined || field.max !== undefined) return `${field.min ?? '…'} – ${field.max ?? '…'}`;
  if (field.maxLength !== undefined) return `≤ ${field.maxLength}`;
  return '';
}

export function FieldTable({
  fields,
  onChange,
  withMethod,
  readOnly,
  issuesAt,
  label,
  testId,
}: {
  fields: readonly FieldDraft[];
  onChange: (fields: FieldDraft[]) => void;
  withMethod: boolean;
  readOnly: boolean;
  /** Findings of the core for the row at an index. */
  issuesAt: (index: number) => ModelIssueView[];
  label: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<number | 'new'>();
  const blank: FieldDraft = { name: '', dataType: 'int', required: false, ...(withMethod ? { method: 'RE' } : {}) };
  const initial = editing === undefined || editing === 'new' ? blank : fields[editing]!;
  const siblings = fields.filter((_, i) => i !== editing).map((f) => f.name);

  return (
    <>
      {fields.length > 0 && (
        <Table withTableBorder={false} fz="sm" data-testid={testId} aria-label={label}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('products.field.name')}</Table.Th>
              <Table.Th>{t('products.field.dataType')}</Table.Th>
              <Table.Th>{t('products.field.range')}</Table.Th>
              <Table.Th>{t('products.field.unit')}</Table.Th>
              {withMethod && <Table.Th>{t('products.field.method')}</Table.Th>}
              <Table.Th>{t('products.field.required')}</Table.Th>
              {!readOnly && <Table.Th w={70} />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {fields.map((field, i) => {
              const issues = issuesAt(i);
              return (
                <Fragment key={`${field.name}-${i}`}>
                  <Table.Tr>
                    <Table.Td ff="monospace">{field.name}</Table.Td>
                    <Table.Td>{field.dataType}</Table.Td>
                    <Table.Td ff="monospace">{range(field)}</Table.Td>
                    <Table.Td>{field.unit}</Table.Td>
                    {withMethod && <Table.Td ff="monospace">{field.method}</Table.Td>}
                    <Table.Td>{field.required ? <Badge size="xs">{t('products.field.yes')}</Badge> : null}</Table.Td>
                    {!readOnly && (
                      <Table.Td>
                        <Group gap={2} wrap="nowrap">
                          <ActionIcon
                            variant="subtle"
                            aria-label={t('products.common.edit')}
                            onClick={() => setEditing(i)}
                          >
                            <IconPencil size={14} />
                          </ActionIcon>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={t('products.common.remove')}
                            onClick={() => onChange(fields.filter((_, j) => j !== i))}
                          >
                            <IconTrash size={14} />
                          </ActionIcon>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                  {issues.length > 0 && (
                    <Table.Tr>
                      <Table.Td colSpan={withMethod ? 7 : 6} pt={0}>
                        {issues.map((issue) => (
                          <Text
                            key={`${issue.code}-${issue.path}`}
                            size="xs"
                            c={issue.severity === 'error' ? 'red' : 'yellow.8'}
                            data-testid="field-issue"
                          >
                            {issue.message}
                          </Text>
                        ))}
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {!readOnly && (
        <Group>
          <Button size="xs" variant="subtle" leftSection={<IconPlus size={14} />} onClick={() => setEditing('new')}>
            {label}
          </Button>
        </Group>
      )}
      {editing !== undefined && (
        <FieldModal
          key={String(editing)}
          opened
          title={editing === 'new' ? label : t('products.field.editTitle', { name: initial.name })}
          initial={initial}
          withMethod={withMethod}
          siblings={siblings}
          onClose={() => setEditing(undefined)}
          onSave={(field) => {
            onChange(editing === 'new' ? [...fields, field] : fields.map((f, i) => (i === editing ? field : f)));
            setEditing(undefined);
          }}
        />
      )}
    </>
  );
}
