// CA certificates per callback host:port: HTTPS pushes to that host:port are verified with it, with an
// optional name (CN) check and the SNI flag.
import { Button, Card, Group, Stack, Switch, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconCertificate, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/i18n.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { useCallbackCas, useDeleteCallbackCa, usePutCallbackCa } from './pushQueries.js';

export function CallbackCasCard() {
  const { t } = useTranslation();
  const cas = useCallbackCas();
  const put = usePutCallbackCa();
  const remove = useDeleteCallbackCa();
  const [hostPort, setHostPort] = useState('');
  const [caPem, setCaPem] = useState('');
  const [checkCn, setCheckCn] = useState(true);
  const [sni, setSni] = useState(true);
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={4}>{t('apps.push.casTitle')}</Title>
        <Text size="sm" c="dimmed">
          {t('apps.push.casHint')}
        </Text>
        {cas.isPending ? (
          <LoadingState />
        ) : cas.isError ? (
          <ErrorState error={cas.error} onRetry={() => void cas.refetch()} />
        ) : (
          cas.data.items.length > 0 && (
            <Table verticalSpacing={4} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('apps.push.hostPort')}</Table.Th>
                  <Table.Th>{t('apps.push.caSubject')}</Table.Th>
                  <Table.Th>{t('apps.push.caValidTo')}</Table.Th>
                  <Table.Th>{t('apps.push.checkCn')}</Table.Th>
                  <Table.Th>{t('apps.push.sni')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {cas.data.items.map((ca) => (
                  <Table.Tr key={ca.hostPort}>
                    <Table.Td ff="monospace">{ca.hostPort}</Table.Td>
                    <Table.Td>{ca.subject}</Table.Td>
                    <Table.Td>{formatDateTime(ca.validTo)}</Table.Td>
                    <Table.Td>{ca.checkCn ? t('apps.push.on') : t('apps.push.off')}</Table.Td>
                    <Table.Td>{ca.sni ? t('apps.push.on') : t('apps.push.off')}</Table.Td>
                    <Table.Td ta="right">
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        leftSection={<IconTrash size={14} />}
                        onClick={() => remove.mutate(ca.hostPort)}
                      >
                        {t('apps.push.delete')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            put.mutate(
              { hostPort: hostPort.trim(), caPem, checkCn, sni },
              {
                onSuccess: () => {
                  setHostPort('');
                  setCaPem('');
                },
              },
            );
          }}
        >
          <Stack gap="xs">
            <Group align="flex-end" gap="sm" wrap="wrap">
              <TextInput
                label={t('apps.push.hostPort')}
                placeholder="app.example.com:8443"
                value={hostPort}
                onChange={(e) => setHostPort(e.currentTarget.value)}
                w={240}
              />
              <Switch
                label={t('apps.push.checkCn')}
                checked={checkCn}
                onChange={(e) => setCheckCn(e.currentTarget.checked)}
              />
              <Switch label={t('apps.push.sni')} checked={sni} onChange={(e) => setSni(e.currentTarget.checked)} />
            </Group>
            <Textarea
              label={t('apps.push.caPem')}
              placeholder="-----BEGIN CERTIFICATE-----"
              autosize
              minRows={3}
              maxRows={8}
              value={caPem}
              onChange={(e) => setCaPem(e.currentTarget.value)}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            />
            <Group>
              <Button
                type="submit"
                leftSection={<IconCertificate size={16} />}
                loading={put.isPending}
                disabled={!hostPort.trim() || !caPem.trim()}
              >
                {t('apps.push.uploadCa')}
              </Button>
            </Group>
            {put.error && (
              <Text size="sm" c="red" role="alert">
                {describeApiError(put.error).message}
              </Text>
            )}
          </Stack>
        </form>
      </Stack>
    </Card>
  );
}
