// One "then …" clause of the linkage form: raise an alarm, notify, or send a command to a device.
import { ActionIcon, Group, NumberInput, Select, Text, TextInput } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { alarmLevels } from '../../../core/contract/index.js';
import { newAction, type ActionDraft } from './ruleDraft.js';
import type { Option } from './useRuleNames.js';

export interface ActionRowProps {
  index: number;
  value: ActionDraft;
  onChange: (next: ActionDraft) => void;
  onRemove?: () => void;
  devices: Option[];
  /** The rule has a time condition: an alarm cannot be chosen (it could never be cleared by the rule). */
  alarmBlocked: boolean;
}

export function ActionRow({ index, value, onChange, onRemove, devices, alarmBlocked }: ActionRowProps) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" align="flex-end" wrap="wrap" data-testid="action-row">
      <Text fw={600} pb={8} w={56}>
        {index === 0 ? t('rules.form.then') : t('rules.form.andThen')}
      </Text>
      <Select
        label={t('rules.form.actionKind')}
        // Wide enough for the alarm choice's reason when a time condition rules it out.
        w={alarmBlocked ? 300 : 170}
        allowDeselect={false}
        data={(['alarm', 'notify', 'command'] as const).map((k) => ({
          value: k,
          label: k === 'alarm' && alarmBlocked ? t('rules.form.alarmBlocked') : t(`rules.form.action.${k}`),
          disabled: k === 'alarm' && alarmBlocked && value.kind !== 'alarm',
        }))}
        value={value.kind}
        onChange={(k) => onChange(newAction(k ?? 'alarm'))}
      />
      {value.kind === 'alarm' && (
        <>
          <Select
            label={t('rules.form.level')}
            w={130}
            allowDeselect={false}
            data={alarmLevels.map((l) => ({ value: l, label: t(`rules.levels.${l}`) }))}
            value={value.level}
            onChange={(l) => onChange({ ...value, level: l ?? 'major' })}
          />
          <TextInput
            label={t('rules.form.alarmName')}
            w={180}
            value={value.name}
            onChange={(e) => onChange({ ...value, name: e.currentTarget.value })}
          />
          <TextInput
            label={t('rules.form.alarmContent')}
            w={240}
            value={value.content}
            onChange={(e) => onChange({ ...value, content: e.currentTarget.value })}
          />
        </>
      )}
      {value.kind === 'notify' && (
        <TextInput
          label={t('rules.form.message')}
          w={420}
          value={value.content}
          onChange={(e) => onChange({ ...value, content: e.currentTarget.value })}
        />
      )}
      {value.kind === 'command' && (
        <>
          <Select
            label={t('rules.form.commandDevice')}
            searchable
            w={200}
            data={devices}
            value={value.deviceId}
            onChange={(d) => onChange({ ...value, deviceId: d })}
          />
          <TextInput
            label={t('rules.form.service')}
            w={120}
            value={value.serviceId}
            onChange={(e) => onChange({ ...value, serviceId: e.currentTarget.value })}
          />
          <TextInput
            label={t('rules.form.method')}
            w={120}
            value={value.method}
            onChange={(e) => onChange({ ...value, method: e.currentTarget.value })}
          />
          <TextInput
            label={t('rules.form.paras')}
            w={180}
            value={value.paras}
            onChange={(e) => onChange({ ...value, paras: e.currentTarget.value })}
          />
          <NumberInput
            label={t('rules.form.expireTime')}
            description={t('rules.form.expireHint')}
            w={150}
            min={0}
            max={2_592_000}
            clampBehavior="strict"
            allowDecimal={false}
            value={value.expireTime}
            onChange={(n) => onChange({ ...value, expireTime: typeof n === 'number' ? n : '' })}
          />
          <TextInput
            label={t('rules.form.callbackUrl')}
            placeholder="https://…"
            w={240}
            value={value.callbackUrl}
            onChange={(e) => onChange({ ...value, callbackUrl: e.currentTarget.value })}
          />
        </>
      )}
      {onRemove && (
        <ActionIcon variant="subtle" color="red" mb={6} aria-label={t('rules.form.removeAction')} onClick={onRemove}>
          <IconTrash size={16} />
        </ActionIcon>
      )}
    </Group>
  );
}
