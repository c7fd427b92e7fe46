// The sockets the core is listening on.
import { Card, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Listener } from '../../../core/contract/index.js';
import { EmptyState } from '../../ui/QueryStates.js';

export function ListenersTable({ listeners }: { listeners: Listener[] }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h5" mb="xs">
        {t('overview.listeners.title')}
      </Title>
      {listeners.length === 0 ? (
        <EmptyState title={t('overview.listeners.empty')} />
      ) : (
        <Table striped withRowBorders={false} aria-label={t('overview.listeners.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('overview.listeners.name')}</Table.Th>
              <Table.Th>{t('overview.listeners.protocol')}</Table.Th>
              <Table.Th>{t('overview.listeners.address')}</Table.Th>
              <Table.Th>{t('overview.listeners.port')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {listeners.map((listener) => (
              <Table.Tr
                key={`${listener.name}-${listener.protocol}-${listener.address}-${listener.port}`}
                data-testid={`listener-${listener.name}`}
              >
                <Table.Td>{t(`portNames.${listener.name}`, { defaultValue: listener.name })}</Table.Td>
                <Table.Td>
                  <Text size="sm" tt="uppercase">
                    {listener.protocol}
                  </Text>
                </Table.Td>
                <Table.Td ff="monospace">{listener.address}</Table.Td>
                <Table.Td ff="monospace" data-testid={`listener-port-${listener.name}`}>
                  {listener.port}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
