// The device's LwM2M registration as the server holds it: endpoint, lifetime, binding, address, times.
import { Card, Group, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Lwm2mRegistration } from '../../../core/contract/index.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { formatDateTime } from '../../app/i18n.js';

const when = (iso: string) => formatDateTime(iso);

export function RegistrationCard({ registration }: { registration: Lwm2mRegistration | undefined }) {
  const { t } = useTranslation();
  const rows: [string, string][] = registration
    ? [
        [t('lwm2m.registration.endpoint'), registration.endpoint],
        [t('lwm2m.registration.lifetime'), t('lwm2m.registration.seconds', { count: registration.lifetime })],
        [t('lwm2m.registration.binding'), registration.binding],
        [t('lwm2m.registration.version'), registration.lwm2mVersion],
        [t('lwm2m.registration.address'), registration.address],
        [t('lwm2m.registration.location'), registration.location],
        [t('lwm2m.registration.registeredAt'), when(registration.registeredAt)],
        [t('lwm2m.registration.updatedAt'), when(registration.updatedAt)],
        [t('lwm2m.registration.expiresAt'), when(registration.expiresAt)],
      ]
    : [];
  return (
    <Card withBorder padding="md" data-testid="lwm2m-registration">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5">
          {t('lwm2m.registration.title')}
        </Title>
        <StatusBadge tone={registration ? 'ok' : 'neutral'}>
          {registration ? t('lwm2m.registration.registered') : t('lwm2m.registration.notRegistered')}
        </StatusBadge>
      </Group>
      {registration ? (
        <Table>
          <Table.Tbody>
            {rows.map(([label, value]) => (
              <Table.Tr key={label}>
                <Table.Th w="40%">{label}</Table.Th>
                <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {value}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text size="sm" c="dimmed">
          {t('lwm2m.registration.notRegisteredHint')}
        </Text>
      )}
    </Card>
  );
}
