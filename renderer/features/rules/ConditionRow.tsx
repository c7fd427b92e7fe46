// One "when …" clause of the linkage form: [scope] [property] [operator] [value] (for N minutes, ignoring old
// reports), or a time condition: from [start], every [N] minutes, [M] times.
import { ActionIcon, Group, NumberInput, Select, Text, TextInput } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { ruleOperators } from '../../../core/contract/index.js';
import { useProduct } from '../products/productQueries.js';
import {
  emptyCondition,
  emptyTimer,
  type ConditionDraft,
  type PropertyConditionDraft,
  type ScopeKind,
  type TimerConditionDraft,
} from './ruleDraft.js';
import type { Option } from './useRuleNames.js';

export interface ConditionRowProps {
  index: number;
  value: ConditionDraft;
  onChange: (next: ConditionDraft) => void;
  onRemove?: () => void;
  options: Record<ScopeKind, Option[]>;
  productOfDevice: (deviceId: string) => string | undefined;
  /** Another row already is the rule's one time condition. */
  timerTaken: boolean;
}

type WatchKind = ScopeKind | 'timer';
const watchKinds: WatchKind[] = ['device', 'product', 'group', 'timer'];

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

function TimerFields({ value, set }: { value: TimerConditionDraft; set: (p: Partial<TimerConditionDraft>) => void }) {
  const { t } = useTranslation();
  const count = (n: string | number) => (typeof n === 'number' ? n : 1);
  return (
    <>
      <TextInput
        label={t('rules.form.timerStart')}
        type="datetime-local"
        w={220}
        value={value.start}
        onChange={(e) => set({ start: e.currentTarget.value })}
      />
      <NumberInput
        label={t('rules.form.timerEvery')}
        w={140}
        min={1}
        max={1440}
        clampBehavior="strict"
        allowDecimal={false}
        value={value.everyMinutes}
        onChange={(n) => set({ everyMinutes: count(n) })}
      />
      <NumberInput
        label={t('rules.form.timerRepeat')}
        description={t('rules.form.timerRepeatHint')}
        w={140}
        min={1}
        max={1440}
        clampBehavior="strict"
        allowDecimal={false}
        value={value.repeat}
        onChange={(n) => set({ repeat: count(n) })}
      />
    </>
  );
}

function PropertyFields(
  props: Pick<ConditionRowProps, 'options' | 'productOfDevice'> & {
    value: PropertyConditionDraft;
    set: (p: Partial<PropertyConditionDraft>) => void;
  },
) {
  const { value, set, options, productOfDevice } = props;
  const { t } = useTranslation();
  // A group has no one model: its property is typed as service/property.
  const modelProduct =
    value.scopeKind === 'product'
      ? value.scopeId
      : value.scopeKind === 'device' && value.scopeId
        ? (productOfDevice(value.scopeId) ?? null)
        : null;
  return (
    <>
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
        onChange={(op) => set({ operator: ruleOperators.find((o) => o === op) ?? '>' })}
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
        clampBehavior="strict"
        allowDecimal={false}
        value={value.holdMinutes}
        onChange={(n) => set({ holdMinutes: typeof n === 'number' ? n : 0 })}
      />
      <NumberInput
        label={t('rules.form.validitySeconds')}
        description={t('rules.form.validityHint')}
        w={170}
        min={0}
        max={86_400}
        clampBehavior="strict"
        allowDecimal={false}
        value={value.validitySeconds}
        onChange={(n) => set({ validitySeconds: typeof n === 'number' ? n : 0 })}
      />
    </>
  );
}

export function ConditionRow({
  index,
  value,
  onChange,
  onRemove,
  options,
  productOfDevice,
  timerTaken,
}: ConditionRowProps) {
  const { t } = useTranslation();
  const watch: WatchKind = value.kind === 'timer' ? 'timer' : value.scopeKind;
  const changeWatch = (k: WatchKind) => {
    if (k === watch) return;
    onChange(k === 'timer' ? emptyTimer() : { ...emptyCondition(), scopeKind: k });
  };
  return (
    <Group gap="xs" align="flex-end" wrap="wrap" data-testid="condition-row">
      <Text fw={600} pb={8} w={56}>
        {index === 0 ? t('rules.form.when') : ''}
      </Text>
      <Select
        label={t('rules.form.scopeKind')}
        w={150}
        allowDeselect={false}
        data={watchKinds.map((k) => ({
          value: k,
          label: t(`rules.form.scope.${k}`),
          disabled: k === 'timer' && timerTaken && watch !== 'timer',
        }))}
        value={watch}
        onChange={(k) => changeWatch(watchKinds.find((x) => x === k) ?? 'device')}
      />
      {value.kind === 'timer' ? (
        <TimerFields value={value} set={(patch) => onChange({ ...value, ...patch })} />
      ) : (
        <PropertyFields
          value={value}
          set={(patch) => onChange({ ...value, ...patch })}
          options={options}
          productOfDevice={productOfDevice}
        />
      )}
      {onRemove && (
        <ActionIcon variant="subtle" color="red" mb={6} aria-label={t('rules.form.removeCondition')} onClick={onRemove}>
          <IconTrash size={16} />
        </ActionIcon>
      )}
    </Group>
  );
}
