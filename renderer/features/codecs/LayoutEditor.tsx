// The layout editor: messages, a table of fields, and a byte map showing which bytes carry which field.
import {
  ActionIcon,
  Button,
  Group,
  NumberInput,
  Paper,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  layoutDirections,
  layoutFieldTypes,
  type CodecLayout,
  type LayoutBit,
  type LayoutField,
  type LayoutMessage,
} from '../../../core/contract/index.js';
import { byteMap, fixedLength } from './byteMap.js';

const palette = ['blue', 'teal', 'grape', 'orange', 'cyan', 'lime', 'pink', 'indigo', 'yellow', 'red'];

function bitsText(bits: readonly LayoutBit[] | undefined): string {
  return (bits ?? []).map((b) => `${b.name}:${b.width}`).join(', ');
}

function parseBits(text: string): LayoutBit[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [name = '', width = '1'] = part.split(':').map((s) => s.trim());
      return { name, width: Math.max(1, Math.min(32, Number(width) || 1)) };
    });
}

export function ByteMapPreview({ layout, message }: { layout: CodecLayout; message: LayoutMessage }) {
  const { t } = useTranslation();
  const segments = byteMap(layout, message);
  const total = fixedLength(segments);
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        {t('codecs.byteMap')}{' '}
        <Text span size="xs" c="dimmed">
          {total === undefined ? t('codecs.variableLength') : t('codecs.frameBytes', { count: total })}
        </Text>
      </Text>
      <Group gap={4} wrap="wrap" data-testid="codec-byte-map">
        {segments.map((s, i) => {
          const color = s.kind === 'id' ? 'gray' : palette[(s.fieldIndex ?? 0) % palette.length];
          const range =
            s.start === undefined
              ? '?'
              : s.size === undefined
                ? `${s.start}…`
                : s.size === 1
                  ? `${s.start}`
                  : `${s.start}–${s.start + s.size - 1}`;
          return (
            <Paper
              key={i}
              withBorder
              px={6}
              py={2}
              bg={`var(--mantine-color-${color}-light)`}
              style={{ minWidth: Math.max(48, (s.size ?? 2) * 28) }}
            >
              <Text size="xs" fw={600} ff="monospace">
                {s.label}
              </Text>
              <Text size="xs" c="dimmed" ff="monospace">
                [{range}] {s.kind === 'id' ? t('codecs.messageIdType') : s.kind}
              </Text>
            </Paper>
          );
        })}
      </Group>
    </Stack>
  );
}

function FieldRow({
  field,
  onChange,
  onRemove,
}: {
  field: LayoutField;
  onChange: (field: LayoutField) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const variable = field.type === 'string' || field.type === 'bytes';
  return (
    <Table.Tr>
      <Table.Td>
        <TextInput
          size="xs"
          aria-label={t('codecs.fieldName')}
          value={field.name}
          onChange={(e) => onChange({ ...field, name: e.currentTarget.value })}
        />
      </Table.Td>
      <Table.Td>
        <Select
          size="xs"
          aria-label={t('codecs.fieldType')}
          data={[...layoutFieldTypes]}
          value={field.type}
          allowDeselect={false}
          onChange={(type) =>
            type &&
            onChange({
              ...field,
              type: type,
              ...(type === 'bits' ? { length: 1, bits: field.bits ?? [{ name: 'flag', width: 1 }] } : {}),
            })
          }
        />
      </Table.Td>
      <Table.Td>
        <Select
          size="xs"
          aria-label={t('codecs.fieldRole')}
          data={[
            { value: 'value', label: t('codecs.roleValue') },
            { value: 'mid', label: 'mid' },
            { value: 'errcode', label: 'errcode' },
          ]}
          value={field.role}
          allowDeselect={false}
          onChange={(role) => role && onChange({ ...field, role: role })}
        />
      </Table.Td>
      <Table.Td>
        {field.type === 'bits' ? (
          <TextInput
            size="xs"
            aria-label={t('codecs.bits')}
            placeholder="a:1, b:3"
            defaultValue={bitsText(field.bits)}
            onBlur={(e) => onChange({ ...field, bits: parseBits(e.currentTarget.value) })}
          />
        ) : (
          <TextInput
            size="xs"
            aria-label={t('codecs.fieldKey')}
            placeholder={field.name}
            value={field.key ?? ''}
            onChange={(e) => onChange({ ...field, key: e.currentTarget.value || undefined })}
          />
        )}
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          {(variable || field.type === 'bcd' || field.type === 'bits') && (
            <NumberInput
              size="xs"
              w={70}
              aria-label={t('codecs.fieldLength')}
              placeholder={t('codecs.bytes')}
              min={1}
              value={field.length ?? ''}
              onChange={(v) => onChange({ ...field, length: typeof v === 'number' ? v : undefined })}
            />
          )}
          {variable && (
            <Select
              size="xs"
              w={90}
              aria-label={t('codecs.lengthPrefix')}
              placeholder={t('codecs.prefix')}
              data={['uint8', 'uint16']}
              value={field.lengthPrefix ?? null}
              onChange={(p) => onChange({ ...field, lengthPrefix: p ?? undefined })}
            />
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <NumberInput
          size="xs"
          w={80}
          aria-label={t('codecs.scale')}
          placeholder="1"
          decimalScale={6}
          value={field.scale ?? ''}
          onChange={(v) => onChange({ ...field, scale: typeof v === 'number' && v > 0 ? v : undefined })}
        />
      </Table.Td>
      <Table.Td>
        <Tooltip label={t('codecs.removeField')}>
          <ActionIcon variant="subtle" color="red" aria-label={t('codecs.removeField')} onClick={onRemove}>
            <IconTrash size={14} />
          </ActionIcon>
        </Tooltip>
      </Table.Td>
    </Table.Tr>
  );
}

export function LayoutEditor({ layout, onChange }: { layout: CodecLayout; onChange: (layout: CodecLayout) => void }) {
  const { t } = useTranslation();
  const [selected, setSelected] = useState(0);
  const index = Math.min(selected, layout.messages.length - 1);
  const message = layout.messages[index];

  const setMessage = (next: LayoutMessage) =>
    onChange({ ...layout, messages: layout.messages.map((m, i) => (i === index ? next : m)) });
  const addMessage = () => {
    const id = Math.max(0, ...layout.messages.map((m) => m.id)) + 1;
    onChange({
      ...layout,
      messages: [...layout.messages, { name: `message_${id}`, id, direction: 'data', serviceId: '', fields: [] }],
    });
    setSelected(layout.messages.length);
  };

  return (
    <Stack gap="sm" data-testid="codec-layout-editor">
      <Group gap="sm">
        <Select
          size="xs"
          label={t('codecs.endian')}
          data={[
            { value: 'big', label: t('codecs.bigEndian') },
            { value: 'little', label: t('codecs.littleEndian') },
          ]}
          value={layout.endian}
          allowDeselect={false}
          onChange={(v) => v && onChange({ ...layout, endian: v })}
        />
        <Select
          size="xs"
          label={t('codecs.messageIdType')}
          data={['uint8', 'uint16']}
          value={layout.messageIdType}
          allowDeselect={false}
          onChange={(v) => v && onChange({ ...layout, messageIdType: v })}
        />
      </Group>
      <Tabs value={String(index)} onChange={(v) => setSelected(Number(v ?? 0))}>
        <Tabs.List>
          {layout.messages.map((m, i) => (
            <Tabs.Tab key={i} value={String(i)}>
              {m.name}{' '}
              <Text span size="xs" c="dimmed">
                0x{m.id.toString(16).toUpperCase().padStart(2, '0')}
              </Text>
            </Tabs.Tab>
          ))}
          <Button size="compact-xs" variant="subtle" leftSection={<IconPlus size={12} />} onClick={addMessage} ml="xs">
            {t('codecs.addMessage')}
          </Button>
        </Tabs.List>
      </Tabs>
      {message && (
        <Stack gap="sm">
          <Group gap="sm" align="flex-end">
            <TextInput
              size="xs"
              label={t('codecs.messageName')}
              value={message.name}
              onChange={(e) => setMessage({ ...message, name: e.currentTarget.value })}
            />
            <NumberInput
              size="xs"
              w={90}
              label={t('codecs.messageId')}
              min={0}
              max={65535}
              value={message.id}
              onChange={(v) => typeof v === 'number' && setMessage({ ...message, id: v })}
            />
            <Select
              size="xs"
              w={170}
              label={t('codecs.direction')}
              data={layoutDirections.map((d) => ({ value: d, label: t(`codecs.direction_${d}`) }))}
              value={message.direction}
              allowDeselect={false}
              onChange={(v) => v && setMessage({ ...message, direction: v })}
            />
            <TextInput
              size="xs"
              label={t('codecs.serviceId')}
              value={message.serviceId ?? ''}
              onChange={(e) => setMessage({ ...message, serviceId: e.currentTarget.value || undefined })}
            />
            {(message.direction === 'command' || message.direction === 'commandResponse') && (
              <TextInput
                size="xs"
                label={t('codecs.commandName')}
                value={message.command ?? ''}
                onChange={(e) => setMessage({ ...message, command: e.currentTarget.value || undefined })}
              />
            )}
            <Button
              size="xs"
              variant="subtle"
              color="red"
              disabled={layout.messages.length <= 1}
              onClick={() => {
                onChange({ ...layout, messages: layout.messages.filter((_, i) => i !== index) });
                setSelected(0);
              }}
            >
              {t('codecs.removeMessage')}
            </Button>
          </Group>
          <Table withTableBorder striped verticalSpacing={4} horizontalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('codecs.fieldName')}</Table.Th>
                <Table.Th>{t('codecs.fieldType')}</Table.Th>
                <Table.Th>{t('codecs.fieldRole')}</Table.Th>
                <Table.Th>{t('codecs.fieldKey')}</Table.Th>
                <Table.Th>{t('codecs.fieldLength')}</Table.Th>
                <Table.Th>{t('codecs.scale')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {message.fields.map((field, i) => (
                <FieldRow
                  key={`${index}-${i}`}
                  field={field}
                  onChange={(next) =>
                    setMessage({ ...message, fields: message.fields.map((f, j) => (j === i ? next : f)) })
                  }
                  onRemove={() => setMessage({ ...message, fields: message.fields.filter((_, j) => j !== i) })}
                />
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Button
              size="xs"
              variant="light"
              leftSection={<IconPlus size={14} />}
              onClick={() =>
                setMessage({
                  ...message,
                  fields: [
                    ...message.fields,
                    { name: `field_${message.fields.length + 1}`, type: 'uint8', role: 'value' },
                  ],
                })
              }
            >
              {t('codecs.addField')}
            </Button>
          </Group>
          <ByteMapPreview layout={layout} message={message} />
        </Stack>
      )}
    </Stack>
  );
}
