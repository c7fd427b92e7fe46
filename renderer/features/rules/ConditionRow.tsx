// One "when …" clause of the linkage form: [scope] [property] [operator] [value] (for N minutes).
import { ActionIcon, Group, NumberInput, Select, Text, TextInput } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { ruleOperators } from '../../../core/contract/index.js';
import { useProduct } from '../products/productQueries.js';
import type { ConditionDraft, ScopeKind } from './ruleDraft.js';
import type { Option } from './useRuleNames.js';

export interface ConditionRowProps {
  index: number;
  value: ConditionDraft;
  onChange: (next: ConditionDraft) => void;
  onRemove?: () => void;
  options: Record<ScopeKind, Option[]>;
  productOfDevice: (deviceId: string) => string | undefined;
}

function PropertySelect(props: {
  productId: string;
  value: string | null;
  onChange: (v: string | null) => void;
  label: string;
}) {
  const product = useProduct(props.productId);
  const data = (product.data?.model.services ?? []).flatMap((s) =>
    s.properties.map((p) => ({ value: `${s.serviceId}/${p.name}`, label: `${p.name} (${s.serviceId})` })),
  );
  return <Select label={props.label} searchable data={data} value={props.value} onChange={props.onChange} w={280} />;
}

export function ConditionRow({ index, value, onChange, onRemove, options, productOfDevice }: ConditionRowProps) {
  const { t } = useTranslation();
  const set = (patch: Partial<ConditionDraft>) => onChange({ ...value, ...patch });
  // A group has no one model: its property is typed as service/property.
  const modelProduct =
    value.scopeKind === 'product'
      ? value.scopeId
      : value.scopeKind === 'device' && value.scopeId
        ? (productOfDevice(value.scopeId) ?? null)
        : null;
  return (
    <Group gap="xs" align="flex-end" wrap="wrap" data-testid="condition-row">
      <Text fw={600} pb={8} w={56}>
        {index === 0 ? t('rules.form.when') : ''}
      </Text>
      <Select
        label={t('rules.form.scopeKind')}
        w={130}
        allowDeselect={false}
        data={(['device', 'product', 'group'] as const).map((k) => ({ value: k, label: t(`rules.form.scope.${k}`) }))}
        value={value.scopeKind}
        onChange={(k) => set({ scopeKind: k ?? 'device', scopeId: null, property: null })}
      />
      <Select
        label={t(`rules.form.scope.${value.scopeKind}`)}
        searchable
        w={220}
        data={options[value.scopeKind]}
        value={value.scopeId}
        onChange={(id) => set({ scopeId: id, ...(value.scopeKind === 'group' ? {} : { property: null }) })}
      />
      {modelProduct ? (
        <PropertySelect
          label={t('rules.form.property')}
          productId={modelProduct}
          value={value.property}
          onChange={(p) => set({ property: p })}
        />
      ) : (
        <TextInput
          label={t('rules.form.propertyPath')}
          placeholder="Sensor/temperature"
          w={220}
          value={value.property ?? ''}
          onChange={(e) => set({ property: e.currentTarget.value || null })}
        />
      )}
      <Select
        label={t('rules.form.operator')}
        w={150}
        allowDeselect={false}
        data={ruleOperators.map((op) => ({ value: op, label: t(`rules.operators.${op}`) }))}
        value={value.operator}
        onChange={(op) => set({ operator: op ?? '>' })}
      />
      {value.operator !== 'changed' && (
        <TextInput
          label={value.operator === 'between' ? t('rules.form.low') : t('rules.form.value')}
          w={100}
          value={value.value}
          onChange={(e) => set({ value: e.currentTarget.value })}
        />
      )}
      {value.operator === 'between' && (
        <TextInput
          label={t('rules.form.high')}
          w={100}
          value={value.value2}
          onChange={(e) => set({ value2: e.currentTarget.value })}
        />
      )}
      <NumberInput
        label={t('rules.form.holdMinutes')}
        description={t('rules.form.holdHint')}
        w={130}
        min={0}
        max={1440}
        value={value.holdMinutes}
        onChange={(n) => set({ holdMinutes: typeof n === 'number' ? n : 0 })}
      />
      {onRemove && (
        <ActionIcon variant="subtle" color="red" mb={6} aria-label={t('rules.form.removeCondition')} onClick={onRemove}>
          <IconTrash size={16} />
        </ActionIcon>
      )}
    </Group>
  );
}
