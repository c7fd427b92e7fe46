// The device page's Shadow tab: desired and reported values side by side per service, differences highlighted with
// their age, a form for desired values with the model's limits, and the history of desired changes.
import { Badge, Button, Card, Grid, Group, Select, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DesiredProperty, Device, ProductModel } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { notifyApiError } from '../../api/errorNotifications.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { StatusBadge, type StatusTone } from '../../ui/StatusBadge.js';
import { ParaInput, type ParaDraft } from '../commands/ParaInput.js';
import { durationText } from '../devices/durationText.js';
import { useNow } from '../devices/useNow.js';
import { useProduct } from '../products/productQueries.js';
import { useDesiredHistory, useSetDesired, useShadow, useShadowEvents } from './shadowQueries.js';

const valueText = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function deliveryTone(d: DesiredProperty): StatusTone {
  if (d.mismatchSince === undefined) return 'ok';
  if (d.delivery === 'failed') return 'error';
  if (d.delivery === 'sent') return 'busy';
  return d.delivery === 'delivered' ? 'warning' : 'neutral';
}

function DesiredState({ desired }: { desired: DesiredProperty }) {
  const { t } = useTranslation();
  const key = desired.mismatchSince === undefined ? 'inSync' : desired.delivery;
  const badge = (
    <StatusBadge tone={deliveryTone(desired)} data-delivery={desired.delivery}>
      {t(`shadow.state.${key}`)}
    </StatusBadge>
  );
  return desired.reason ? <Tooltip label={desired.reason}>{badge}</Tooltip> : badge;
}

function DesiredForm({ model, deviceId }: { model: ProductModel; deviceId: string }) {
  const { t } = useTranslation();
  const writable = model.services
    .map((s) => ({ ...s, properties: s.properties.filter((p) => p.method.includes('W')) }))
    .filter((s) => s.properties.length > 0);
  const [serviceId, setServiceId] = useState<string | null>(writable[0]?.serviceId ?? null);
  const [drafts, setDrafts] = useState<Record<string, ParaDraft>>({});
  const set = useSetDesired(deviceId);
  const service = writable.find((s) => s.serviceId === serviceId);
  if (writable.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('shadow.form.noWritable')}
      </Text>
    );
  const values = Object.fromEntries(Object.entries(drafts).filter(([, v]) => v !== undefined && v !== ''));
  return (
    <Stack gap="sm">
      <Select
        label={t('shadow.form.service')}
        data={writable.map((s) => s.serviceId)}
        value={serviceId}
        onChange={(v) => {
          setServiceId(v);
          setDrafts({});
        }}
        allowDeselect={false}
      />
      {service?.properties.map((p) => (
        <ParaInput
          key={`${service.serviceId}.${p.name}`}
          field={{ ...p, required: false }}
          value={drafts[p.name]}
          onChange={(v) => setDrafts((d) => ({ ...d, [p.name]: v }))}
        />
      ))}
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {t('shadow.form.hint')}
        </Text>
        <Button
          size="sm"
          disabled={!service || Object.keys(values).length === 0}
          loading={set.isPending}
          data-testid="set-desired"
          onClick={() =>
            service &&
            set.mutate(
              { services: [{ serviceId: service.serviceId, desired: values }] },
              { onSuccess: () => setDrafts({}), onError: notifyApiError },
            )
          }
        >
          {t('shadow.form.send')}
        </Button>
      </Group>
    </Stack>
  );
}

export function ShadowPanel({ device }: { device: Device }) {
  const { t } = useTranslation();
  const shadow = useShadow(device.deviceId);
  const history = useDesiredHistory(device.deviceId);
  const product = useProduct(device.productId);
  useShadowEvents(device.deviceId);
  const now = useNow(5000);
  const services = useMemo(() => shadow.data?.services ?? [], [shadow.data]);

  if (shadow.isPending) return <LoadingState />;
  if (shadow.isError) return <ErrorState error={shadow.error} onRetry={() => void shadow.refetch()} />;
  const s = shadow.data;
  const mismatches = services.reduce(
    (n, svc) => n + Object.values(svc.desired).filter((d) => d.mismatchSince !== undefined).length,
    0,
  );

  return (
    <Grid>
      <Grid.Col span={{ base: 12, lg: 8 }}>
        <Stack gap="md">
          <Card withBorder padding="md">
            <Group justify="space-between">
              <div>
                <Title order={3} size="h5">
                  {t('shadow.title')}
                </Title>
                <Text size="xs" c="dimmed">
                  {t('shadow.hint')}
                </Text>
              </div>
              <Group gap="xs">
                <StatusBadge tone={s.online ? 'ok' : 'neutral'}>
                  {s.online ? t('shadow.online') : t('shadow.offline')}
                </StatusBadge>
                <Badge variant="outline" color="gray" data-testid="shadow-version">
                  {t('shadow.version', { version: s.version })}
                </Badge>
                <StatusBadge tone={mismatches > 0 ? 'warning' : 'ok'} data-testid="shadow-mismatches">
                  {mismatches > 0 ? t('shadow.mismatches', { count: mismatches }) : t('shadow.noMismatch')}
                </StatusBadge>
              </Group>
            </Group>
          </Card>
          {services.map((svc) => {
            const names = [...new Set([...Object.keys(svc.desired), ...Object.keys(svc.reported)])];
            return (
              <Card key={svc.serviceId} withBorder padding="md" data-service={svc.serviceId}>
                <Group justify="space-between" mb="xs">
                  <Title order={4} size="h6">
                    {svc.serviceId}
                  </Title>
                  <Text size="xs" c="dimmed">
                    {svc.reportedAt !== undefined
                      ? t('shadow.reportedAt', { time: formatDateTime(svc.reportedAt) })
                      : t('shadow.neverReported')}
                  </Text>
                </Group>
                {names.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    {t('shadow.empty')}
                  </Text>
                ) : (
                  <Table>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('shadow.property')}</Table.Th>
                        <Table.Th>{t('shadow.desired')}</Table.Th>
                        <Table.Th>{t('shadow.reported')}</Table.Th>
                        <Table.Th>{t('shadow.stateTitle')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {names.map((name) => {
                        const d = svc.desired[name];
                        const differs = d?.mismatchSince !== undefined;
                        return (
                          <Table.Tr
                            key={name}
                            data-property={name}
                            data-mismatch={differs ? 'yes' : 'no'}
                            bg={differs ? 'var(--mantine-color-yellow-light)' : undefined}
                          >
                            <Table.Td ff="monospace">{name}</Table.Td>
                            <Table.Td ff="monospace">{d ? valueText(d.value) : '—'}</Table.Td>
                            <Table.Td ff="monospace">{valueText(svc.reported[name])}</Table.Td>
                            <Table.Td>
                              {d ? (
                                <Stack gap={2}>
                                  <DesiredState desired={d} />
                                  {d.mismatchSince !== undefined && (
                                    <Text size="xs" c="dimmed">
                                      {t('shadow.differsFor', { duration: durationText(now - d.mismatchSince, t) })}
                                    </Text>
                                  )}
                                </Stack>
                              ) : (
                                <Text size="xs" c="dimmed">
                                  {t('shadow.noDesired')}
                                </Text>
                              )}
                            </Table.Td>
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                )}
              </Card>
            );
          })}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 4 }}>
        <Stack gap="md">
          <Card withBorder padding="md">
            <Title order={3} size="h5" mb="xs">
              {t('shadow.form.title')}
            </Title>
            {product.isPending ? (
              <LoadingState />
            ) : product.isError ? (
              <ErrorState error={product.error} />
            ) : (
              <DesiredForm model={product.data.model} deviceId={device.deviceId} />
            )}
          </Card>
          <Card withBorder padding="md">
            <Title order={3} size="h5" mb="xs">
              {t('shadow.history.title')}
            </Title>
            {history.isPending ? (
              <LoadingState />
            ) : history.isError ? (
              <ErrorState error={history.error} />
            ) : history.data.items.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('shadow.history.none')}
              </Text>
            ) : (
              <Stack gap="xs" data-testid="desired-history">
                {history.data.items.map((h) => (
                  <div key={h.id}>
                    <Group justify="space-between" gap="xs">
                      <Text size="sm" ff="monospace">
                        {h.serviceId}.{h.property}
                      </Text>
                      <Badge size="xs" variant="light" color={h.delivery === 'failed' ? 'red' : 'gray'}>
                        {t(`shadow.history.delivery.${h.delivery}`)}
                      </Badge>
                    </Group>
                    <Text size="xs" ff="monospace">
                      {valueText(h.oldValue)} → {valueText(h.newValue)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {formatDateTime(h.at)} · {h.by === 'ui' ? t('shadow.history.byUi') : h.by}
                    </Text>
                  </div>
                ))}
              </Stack>
            )}
          </Card>
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
