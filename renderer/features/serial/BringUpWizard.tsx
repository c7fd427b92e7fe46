// The bring-up wizard: choose a CoAP/LwM2M product and the platform address, run the six steps (or one alone),
// watch each step's state, result and AT/CoAP transcript live, and open the device with its first decoded uplink.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Collapse,
  Group,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  ThemeIcon,
} from '@mantine/core';
import { IconCheck, IconPlayerPlay, IconPlayerStop, IconRefresh, IconX } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { BringUpEvidence, BringUpStep, BringUpStepId, SerialSession } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import {
  useBringUpState,
  useCancelBringUp,
  useCreateWaterMeterSample,
  useHasActiveCodec,
  useModuleProducts,
  usePlatformAddresses,
  useRunBringUp,
  useUplinkSamples,
} from './bringUpQueries.js';
import { useSerialPorts } from './serialQueries.js';
import { formatDateTime } from '../../app/i18n.js';

const stateColor = { pending: 'gray', running: 'blue', ok: 'green', failed: 'red', skipped: 'gray' } as const;
const formatValue = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
const clockTime = (at: number): string => new Date(at).toISOString().slice(11, 23);

/** The evidence as transcript lines: `> AT+CGSN=1`, `< +CGSN:…`, `module → platform POST /rd?ep=…`. */
function transcriptLines(evidence: BringUpEvidence[], arrows: { in: string; out: string }): string[] {
  return evidence.flatMap((e) => {
    if (e.kind === 'note') return [`${clockTime(e.at)}  • ${e.text}`];
    if (e.kind === 'coap')
      return [`${clockTime(e.at)}  ${e.direction === 'in' ? arrows.in : arrows.out}  ${e.summary}`];
    const r = e.result;
    const final =
      r.final === 'cme-error'
        ? `+CME ERROR:${r.cmeError ?? '?'}`
        : r.final === 'timeout'
          ? '(timeout)'
          : r.final.toUpperCase();
    return [
      `> ${r.command}`,
      ...r.lines.map((l) => `< ${l}`),
      ...r.urcs.map((u) => `< ${u}  (URC)`),
      `< ${final}  (${r.durationMs} ms)`,
    ];
  });
}

function StepCard({
  step,
  index,
  disabled,
  onRun,
}: {
  step: BringUpStep;
  index: number;
  disabled: boolean;
  onRun: (id: BringUpStepId) => void;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const lines = transcriptLines(step.evidence, {
    in: t('serial.bringUp.fromModule'),
    out: t('serial.bringUp.toModule'),
  });
  const result = Object.entries(step.result ?? {});
  return (
    <Card withBorder padding="sm" data-testid={`bring-up-step-${step.id}`} data-state={step.state}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <ThemeIcon variant="light" color={stateColor[step.state]} radius="xl" size={28}>
            {step.state === 'running' ? (
              <Loader size={14} />
            ) : step.state === 'ok' ? (
              <IconCheck size={16} />
            ) : step.state === 'failed' ? (
              <IconX size={16} />
            ) : (
              <Text size="sm" fw={600}>
                {index + 1}
              </Text>
            )}
          </ThemeIcon>
          <div>
            <Text fw={500}>{t(`serial.bringUp.steps.${step.id}.title`)}</Text>
            <Text size="xs" c="dimmed">
              {t(`serial.bringUp.steps.${step.id}.description`)}
            </Text>
          </div>
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Badge color={stateColor[step.state]} variant="light" data-testid="bring-up-step-state">
            {t(`serial.bringUp.states.${step.state}`)}
          </Badge>
          <Button
            size="compact-xs"
            variant="subtle"
            leftSection={step.state === 'failed' ? <IconRefresh size={12} /> : <IconPlayerPlay size={12} />}
            disabled={disabled}
            onClick={() => onRun(step.id)}
            aria-label={t('serial.bringUp.runStepNamed', { step: t(`serial.bringUp.steps.${step.id}.title`) })}
          >
            {step.state === 'failed' ? t('serial.bringUp.retry') : t('serial.bringUp.runStep')}
          </Button>
        </Group>
      </Group>
      {step.message && step.state !== 'ok' && (
        <Text
          size="sm"
          c={step.state === 'failed' ? 'red' : 'dimmed'}
          mt="xs"
          ml={40}
          role={step.state === 'failed' ? 'alert' : undefined}
        >
          {step.state === 'skipped' ? t('serial.bringUp.skippedBecause', { reason: step.message }) : step.message}
        </Text>
      )}
      {result.length > 0 && (
        <Group gap="md" mt="xs" ml={40}>
          {result.map(([key, value]) => (
            <Text size="sm" key={key}>
              <Text span c="dimmed" size="sm">
                {t(`serial.bringUp.fields.${key}`, { defaultValue: key })}:
              </Text>{' '}
              <Code data-testid={`bring-up-result-${key}`}>
                {typeof value === 'boolean'
                  ? t(value ? 'serial.bringUp.yes' : 'serial.bringUp.no')
                  : key === 'registeredAt' && typeof value === 'string'
                    ? formatDateTime(value)
                    : String(value)}
              </Code>
            </Text>
          ))}
        </Group>
      )}
      {lines.length > 0 && (
        <Stack gap={4} mt="xs" ml={40}>
          <Anchor component="button" type="button" size="xs" onClick={() => setOpen((o) => !o)} w="fit-content">
            {open
              ? t('serial.bringUp.hideTranscript')
              : t('serial.bringUp.showTranscript', { count: step.evidence.length })}
          </Anchor>
          <Collapse expanded={open}>
            <Code block data-testid={`bring-up-transcript-${step.id}`}>
              {lines.join('\n')}
            </Code>
          </Collapse>
        </Stack>
      )}
    </Card>
  );
}

export function BringUpWizard({ session }: { session: SerialSession }) {
  const { t } = useTranslation();
  const state = useBringUpState(session.id);
  const products = useModuleProducts();
  const addresses = usePlatformAddresses();
  const ports = useSerialPorts();
  const run = useRunBringUp(session.id);
  const cancel = useCancelBringUp(session.id);
  const createSample = useCreateWaterMeterSample();
  const [productId, setProductId] = useState<string | null>(null);
  const [host, setHost] = useState<string | null>(null);
  const [uplinkHex, setUplinkHex] = useState('');

  const flow = state.data;
  const running = flow?.running ?? false;
  const isVirtual = ports.data?.ports.some((p) => p.path === session.settings.path && p.virtual) ?? false;
  const coapPort = addresses.data?.coapPort;

  // Until the user picks: the product of the last run or the first one; loopback for a virtual module (it runs on
  // this machine), else the first network address (a real module reaches the machine over the network).
  const addressList = addresses.data?.addresses ?? [];
  const defaultHost = (isVirtual ? addressList.find((a) => a.internal) : addressList.find((a) => !a.internal))?.host;
  const chosenProduct = productId ?? flow?.productId ?? products.data?.[0]?.id ?? null;
  const chosenHost = host ?? defaultHost ?? addressList[0]?.host ?? null;

  const samples = useUplinkSamples(chosenProduct);
  const hasCodec = useHasActiveCodec(chosenProduct);
  const productOptions = useMemo(
    () =>
      (products.data ?? []).map((p) => ({
        value: p.id,
        label: `${p.deviceType} · ${p.manufacturerName} ${p.model} (${p.protocolType})`,
      })),
    [products.data],
  );
  const addressOptions = (addresses.data?.addresses ?? []).map((a) => ({
    value: a.host,
    label: `${a.host}:${coapPort ?? '?'} (${a.internal ? t('serial.bringUp.loopback') : a.interface})`,
  }));

  const start = (extra: { step?: BringUpStepId; from?: BringUpStepId } = {}) => {
    if (!chosenProduct) return;
    run.mutate({
      productId: chosenProduct,
      ...extra,
      ...(chosenHost && coapPort ? { server: { host: chosenHost, port: coapPort } } : {}),
      ...(uplinkHex.trim() ? { uplinkHex: uplinkHex.replace(/\s+/g, '') } : {}),
    });
  };

  const noProducts = products.isSuccess && products.data.length === 0;
  const uplinkStep = flow?.steps.find((s) => s.id === 'uplink');
  const hexValid = /^([0-9A-Fa-f]{2})*$/.test(uplinkHex.replace(/\s+/g, ''));

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {t('serial.bringUp.intro')}
      </Text>
      {noProducts ? (
        <Alert color="blue" variant="light" title={t('serial.bringUp.noProductTitle')}>
          <Stack gap="xs">
            <Text size="sm">{t('serial.bringUp.noProductHint')}</Text>
            <Group gap="sm">
              <Button
                size="xs"
                loading={createSample.isPending}
                onClick={() => createSample.mutate(undefined, { onSuccess: (p) => setProductId(p.id) })}
              >
                {t('serial.bringUp.createSample')}
              </Button>
              <Anchor component={Link} to="/products" size="sm">
                {t('serial.bringUp.openProducts')}
              </Anchor>
            </Group>
          </Stack>
        </Alert>
      ) : (
        <Card withBorder padding="sm">
          <Group align="flex-end" gap="sm" wrap="wrap">
            <Select
              label={t('serial.bringUp.product')}
              placeholder={t('serial.bringUp.productPlaceholder')}
              data={productOptions}
              value={chosenProduct}
              onChange={setProductId}
              disabled={running}
              w={340}
              allowDeselect={false}
            />
            <Select
              label={t('serial.bringUp.address')}
              description={t('serial.bringUp.addressHint')}
              data={addressOptions}
              value={chosenHost}
              onChange={setHost}
              disabled={running || coapPort === undefined}
              error={addresses.isSuccess && coapPort === undefined ? t('serial.bringUp.noCoap') : undefined}
              w={260}
              allowDeselect={false}
            />
            <TextInput
              label={t('serial.bringUp.uplink')}
              description={t('serial.bringUp.uplinkHint')}
              placeholder="0100BC614E…"
              value={uplinkHex}
              onChange={(e) => setUplinkHex(e.currentTarget.value)}
              error={hexValid ? undefined : t('serial.bringUp.uplinkInvalid')}
              disabled={running}
              ff="monospace"
              w={260}
            />
            {(samples.data?.length ?? 0) > 0 && (
              <Select
                label={t('serial.bringUp.sampleFrame')}
                placeholder={t('serial.bringUp.sampleFramePlaceholder')}
                data={(samples.data ?? []).map((s) => ({
                  value: s.direction === 'uplink' ? s.hex : '',
                  label: s.name,
                }))}
                value={null}
                onChange={(hex) => hex && setUplinkHex(hex)}
                disabled={running}
                w={260}
              />
            )}
          </Group>
          <Group mt="sm" gap="sm">
            {running ? (
              <Button
                color="red"
                variant="light"
                leftSection={<IconPlayerStop size={14} />}
                loading={cancel.isPending}
                onClick={() => cancel.mutate()}
              >
                {t('serial.bringUp.cancel')}
              </Button>
            ) : (
              <Button
                leftSection={<IconPlayerPlay size={14} />}
                disabled={!chosenProduct || !hexValid}
                loading={run.isPending}
                onClick={() => start()}
              >
                {t('serial.bringUp.runAll')}
              </Button>
            )}
            {!running && flow?.steps.some((s) => s.state === 'failed') && (
              <Button
                variant="default"
                leftSection={<IconRefresh size={14} />}
                disabled={!chosenProduct || !hexValid}
                onClick={() => start({ from: flow.steps.find((s) => s.state === 'failed')?.id ?? 'imei' })}
              >
                {t('serial.bringUp.continueFromFailed')}
              </Button>
            )}
          </Group>
          {hasCodec.data === false && chosenProduct && (
            <Alert color="yellow" variant="light" mt="sm" data-testid="bring-up-no-codec">
              <Text size="sm">
                {t('serial.bringUp.noCodec')}{' '}
                <Anchor component={Link} to={`/products/${encodeURIComponent(chosenProduct)}/codec`} size="sm">
                  {t('serial.bringUp.openCodec')}
                </Anchor>
              </Text>
            </Alert>
          )}
          {run.isError && (
            <Alert color="red" variant="light" mt="sm" title={describeApiError(run.error).title}>
              {describeApiError(run.error).message}
            </Alert>
          )}
        </Card>
      )}
      {state.isLoading && <Loader size="sm" />}
      <Stack gap="xs" aria-label={t('serial.bringUp.stepsLabel')}>
        {flow?.steps.map((step, index) => (
          <StepCard
            key={step.id}
            step={step}
            index={index}
            disabled={running || !chosenProduct || !hexValid}
            onRun={(id) => start({ step: id })}
          />
        ))}
      </Stack>
      {uplinkStep?.state === 'ok' && flow?.deviceId && flow.uplink && (
        <Alert color="green" variant="light" title={t('serial.bringUp.doneTitle')} data-testid="bring-up-done">
          <Stack gap="xs">
            <Text size="sm">
              {t('serial.bringUp.doneHint', { deviceId: flow.deviceId, serviceId: flow.uplink.serviceId })}
            </Text>
            <Table withTableBorder striped w="fit-content">
              <Table.Tbody>
                {Object.entries(flow.uplink.data).map(([key, value]) => (
                  <Table.Tr key={key}>
                    <Table.Th>{key}</Table.Th>
                    <Table.Td ff="monospace" data-testid={`bring-up-data-${key}`}>
                      {formatValue(value)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Anchor component={Link} to={`/devices/${encodeURIComponent(flow.deviceId)}`} fw={500}>
              {t('serial.bringUp.openDevice')}
            </Anchor>
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
