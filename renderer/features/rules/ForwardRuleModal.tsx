// Add a forwarding rule: reported data or device info, optionally filtered, to one or more targets.
import { Alert, Button, Group, Modal, MultiSelect, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ruleOperators, type ForwardFilter, type ForwardTarget } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { scalarOf } from './ruleDraft.js';
import { useCreateForwardRule } from './ruleQueries.js';
import type { Option } from './useRuleNames.js';

type FilterOperator = NonNullable<ForwardFilter['operator']>;
const filterOperators = ruleOperators.filter((o): o is FilterOperator => o !== 'changed');

export interface ForwardRuleModalProps {
  targets: ForwardTarget[];
  devices: Option[];
  onClose: () => void;
}

export function ForwardRuleModal({ targets, devices, onClose }: ForwardRuleModalProps) {
  const { t } = useTranslation();
  const create = useCreateForwardRule();
  const [name, setName] = useState('');
  const [source, setSource] = useState<'data' | 'deviceInfo'>('data');
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const [serviceId, setServiceId] = useState('');
  const [property, setProperty] = useState('');
  const [operator, setOperator] = useState<FilterOperator | null>(null);
  const [value, setValue] = useState('');
  const [value2, setValue2] = useState('');
  const [targetIds, setTargetIds] = useState<string[]>([]);

  const filter: ForwardFilter = {
    ...(deviceId ? { deviceId } : {}),
    ...(serviceId.trim() ? { serviceId: serviceId.trim() } : {}),
    ...(source === 'data' && property.trim() && operator
      ? {
          property: property.trim(),
          operator,
          value: scalarOf(value),
          ...(operator === 'between' ? { value2: scalarOf(value2) } : {}),
        }
      : {}),
  };

  return (
    <Modal opened onClose={onClose} title={t('rules.forwarding.newTitle')} size="xl">
      <Stack>
        <TextInput
          label={t('rules.forwarding.name')}
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <Select
          label={t('rules.forwarding.source')}
          allowDeselect={false}
          data={[
            { value: 'data', label: t('rules.forwarding.sources.data') },
            { value: 'deviceInfo', label: t('rules.forwarding.sources.deviceInfo') },
          ]}
          value={source}
          onChange={(s) => setSource(s === 'deviceInfo' ? 'deviceInfo' : 'data')}
        />
        <Text size="sm" fw={500}>
          {t('rules.forwarding.filterTitle')}
        </Text>
        <Group gap="xs" align="flex-end">
          <Select
            label={t('rules.forwarding.device')}
            placeholder={t('rules.forwarding.anyDevice')}
            searchable
            clearable
            w={200}
            data={devices}
            value={deviceId}
            onChange={setDeviceId}
          />
          <TextInput
            label={t('rules.forwarding.service')}
            placeholder={t('rules.forwarding.anyService')}
            w={140}
            value={serviceId}
            onChange={(e) => setServiceId(e.currentTarget.value)}
          />
          {source === 'data' && (
            <>
              <TextInput
                label={t('rules.forwarding.property')}
                w={130}
                value={property}
                onChange={(e) => setProperty(e.currentTarget.value)}
              />
              <Select
                label={t('rules.form.operator')}
                clearable
                w={150}
                data={filterOperators.map((op) => ({ value: op, label: t(`rules.operators.${op}`) }))}
                value={operator}
                onChange={(op) => setOperator(filterOperators.find((x) => x === op) ?? null)}
              />
              <TextInput
                label={t('rules.form.value')}
                w={90}
                value={value}
                onChange={(e) => setValue(e.currentTarget.value)}
              />
              {operator === 'between' && (
                <TextInput
                  label={t('rules.form.high')}
                  w={90}
                  value={value2}
                  onChange={(e) => setValue2(e.currentTarget.value)}
                />
              )}
            </>
          )}
        </Group>
        <MultiSelect
          label={t('rules.forwarding.targets')}
          required
          data={targets.map((x) => ({ value: x.targetId, label: x.name }))}
          value={targetIds}
          onChange={setTargetIds}
        />
        {create.error && (
          <Alert color="red" variant="light" title={describeApiError(create.error).title} role="alert">
            {describeApiError(create.error).message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('rules.cancel')}
          </Button>
          <Button
            loading={create.isPending}
            onClick={() => create.mutate({ name, source, filter, targetIds }, { onSuccess: onClose })}
          >
            {t('rules.forwarding.add')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
