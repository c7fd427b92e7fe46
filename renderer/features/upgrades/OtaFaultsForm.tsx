// Upgrade faults for simulated devices: what a device answers (already latest, busy, low battery, check or install
// failed), where it stops (a shard never acknowledged, coverage lost at a shard) and its radio (coverage level,
// cell id, LwM2M only) — for one device or a share of its fleet. The caller sends them to the LwM2M or MQTT simulator.
import { Alert, Button, Checkbox, Group, NumberInput, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SimOtaFaults } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import {
  cellChoices,
  coverageChoices,
  emptyFaultForm,
  faultsOf,
  faultSwitches,
  shareRange,
  type FaultFormValues,
  type ShareRange,
} from './otaFaultValues.js';

export type FaultTarget = { kind: 'device' } | { kind: 'share'; range: ShareRange };

export interface OtaFaultsFormProps {
  /** Devices in the device's fleet; with more than one the form offers a share of the fleet. */
  fleetSize?: number;
  /** Sends the faults; resolves with how many devices now have them. */
  onSubmit: (faults: SimOtaFaults, target: FaultTarget) => Promise<number>;
  /**
   * `lwm2m` (default): PCP shards / FOTA blocks and the radio (coverage level, cell). `mqtt`: an `$ota` device
   * downloading over HTTP, where a shard is a KiB of the file and there is no radio.
   */
  device?: 'lwm2m' | 'mqtt';
}

const numberOrEmpty = (v: string | number): number | '' => (typeof v === 'number' ? v : '');

export function OtaFaultsForm({ fleetSize = 1, onSubmit, device = 'lwm2m' }: OtaFaultsFormProps) {
  const { t } = useTranslation();
  const mqtt = device === 'mqtt';
  const [form, setForm] = useState<FaultFormValues>(emptyFaultForm);
  const [scope, setScope] = useState<'device' | 'share'>('device');
  const [percent, setPercent] = useState<number>(10);
  const [fromPosition, setFromPosition] = useState<number>(1);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();
  const range = shareRange(fleetSize, percent / 100, fromPosition - 1);
  const set = (patch: Partial<FaultFormValues>) => setForm((f) => ({ ...f, ...patch }));

  const send = async (faults: SimOtaFaults) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const n = await onSubmit(faults, scope === 'share' ? { kind: 'share', range } : { kind: 'device' });
      setOutcome({ ok: true, text: t('upgrades.faults.applied', { count: n }) });
    } catch (error) {
      const d = describeApiError(error);
      setOutcome({ ok: false, text: `${d.title}${d.message ? `: ${d.message}` : ''}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="xs" data-testid="ota-faults-form">
      <Text size="xs" c="dimmed">
        {t(mqtt ? 'upgrades.faults.hintMqtt' : 'upgrades.faults.hint')}
      </Text>
      <Group gap="md">
        {faultSwitches.map((key) => (
          <Checkbox
            key={key}
            size="xs"
            label={t(`upgrades.faults.${key}`)}
            checked={form.switches[key]}
            onChange={(e) => set({ switches: { ...form.switches, [key]: e.currentTarget.checked } })}
            data-testid={`ota-fault-${key}`}
          />
        ))}
      </Group>
      <Group grow align="flex-start" gap="xs">
        <NumberInput
          size="xs"
          label={t('upgrades.faults.dropShard')}
          description={t(mqtt ? 'upgrades.faults.dropShardHintMqtt' : 'upgrades.faults.dropShardHint')}
          placeholder={t('upgrades.faults.none')}
          min={0}
          max={65535}
          allowDecimal={false}
          value={form.dropShard}
          onChange={(v) => set({ dropShard: numberOrEmpty(v) })}
          data-testid="ota-fault-dropShard"
        />
        <NumberInput
          size="xs"
          label={t('upgrades.faults.offlineAtShard')}
          description={t(mqtt ? 'upgrades.faults.offlineAtShardHintMqtt' : 'upgrades.faults.offlineAtShardHint')}
          placeholder={t('upgrades.faults.none')}
          min={0}
          max={65535}
          allowDecimal={false}
          value={form.offlineAtShard}
          onChange={(v) => set({ offlineAtShard: numberOrEmpty(v) })}
          data-testid="ota-fault-offlineAtShard"
        />
      </Group>
      {!mqtt && (
        <>
          <Select
            size="xs"
            label={t('upgrades.faults.coverage')}
            data={coverageChoices.map((c) => ({ value: c, label: t(`upgrades.faults.coverageChoice.${c}`) }))}
            value={form.coverage}
            onChange={(v) => set({ coverage: v ?? 'keep' })}
            allowDeselect={false}
            data-testid="ota-fault-coverage"
          />
          <Group grow align="flex-start" gap="xs">
            <Select
              size="xs"
              label={t('upgrades.faults.cell')}
              data={cellChoices.map((c) => ({ value: c, label: t(`upgrades.faults.cellChoice.${c}`) }))}
              value={form.cell}
              onChange={(v) => set({ cell: v ?? 'keep' })}
              allowDeselect={false}
              data-testid="ota-fault-cell"
            />
            {form.cell === 'set' && (
              <NumberInput
                size="xs"
                label={t('upgrades.faults.cellId')}
                min={0}
                max={268435455}
                allowDecimal={false}
                value={form.cellId}
                onChange={(v) => set({ cellId: numberOrEmpty(v) })}
                data-testid="ota-fault-cellId"
              />
            )}
          </Group>
        </>
      )}
      {fleetSize > 1 && (
        <SegmentedControl
          size="xs"
          value={scope}
          onChange={(v) => setScope(v === 'share' ? 'share' : 'device')}
          data={[
            { value: 'device', label: t('upgrades.faults.thisDevice') },
            { value: 'share', label: t('upgrades.faults.shareOfFleet') },
          ]}
          data-testid="ota-fault-scope"
        />
      )}
      {fleetSize > 1 && scope === 'share' && (
        <>
          <Group align="flex-end" gap="xs">
            <NumberInput
              size="xs"
              w={110}
              label={t('upgrades.faults.percent')}
              min={0}
              max={100}
              suffix=" %"
              value={percent}
              onChange={(v) => setPercent(typeof v === 'number' ? v : 0)}
              data-testid="ota-fault-percent"
            />
            <NumberInput
              size="xs"
              w={130}
              label={t('upgrades.faults.fromPosition')}
              min={1}
              max={fleetSize}
              allowDecimal={false}
              value={fromPosition}
              onChange={(v) => setFromPosition(typeof v === 'number' ? v : 1)}
            />
          </Group>
          <Text size="xs" c="dimmed" data-testid="ota-fault-range">
            {range.count === 0
              ? t('upgrades.faults.rangeNone')
              : range.count === 1
                ? t('upgrades.faults.rangeOne', { first: range.first + 1, total: fleetSize })
                : t('upgrades.faults.range', {
                    first: range.first + 1,
                    last: range.first + range.count,
                    total: fleetSize,
                  })}
          </Text>
        </>
      )}
      {outcome && (
        <Alert color={outcome.ok ? 'teal' : 'red'} variant="light" p="xs" data-testid="ota-fault-outcome">
          {outcome.text}
        </Alert>
      )}
      <Group justify="flex-end" gap="xs">
        <Button size="xs" variant="default" disabled={busy} onClick={() => void send({})}>
          {t('upgrades.faults.clear')}
        </Button>
        <Button
          size="xs"
          loading={busy}
          disabled={scope === 'share' && range.count === 0}
          onClick={() => void send(faultsOf(mqtt ? { ...form, coverage: 'keep', cell: 'keep' } : form))}
          data-testid="ota-fault-apply"
        >
          {t('upgrades.faults.apply')}
        </Button>
      </Group>
    </Stack>
  );
}
