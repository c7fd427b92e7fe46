// The codec's versions, newest first, with rollback to any older one.
import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Codec } from '../../../core/contract/index.js';
import { useActivateVersion } from './codecQueries.js';
import { formatDateTime } from '../../app/i18n.js';

export function VersionsPanel({ codec }: { codec: Codec }) {
  const { t } = useTranslation();
  const activate = useActivateVersion(codec.productId);
  return (
    <Paper withBorder p="sm">
      <Stack gap="xs">
        <Title order={4} size="h5">
          {t('codecs.versionsTitle')}
        </Title>
        <Stack gap={4} data-testid="codec-versions">
          {codec.versions.map((v) => (
            <Group key={v.version} justify="space-between" wrap="nowrap">
              <Group gap="xs" wrap="nowrap">
                <Text size="sm" fw={500}>
                  v{v.version}
                </Text>
                <Badge size="sm" variant="outline">
                  {t(`codecs.kind_${v.kind}`)}
                </Badge>
                <Text size="xs" c="dimmed">
                  {formatDateTime(v.createdAt)}
                </Text>
              </Group>
              {v.active ? (
                <Badge color="green" variant="light">
                  {t('codecs.active')}
                </Badge>
              ) : (
                <Button
                  size="compact-xs"
                  variant="light"
                  loading={activate.isPending && activate.variables === v.version}
                  onClick={() => activate.mutate(v.version)}
                >
                  {t('codecs.rollback')}
                </Button>
              )}
            </Group>
          ))}
        </Stack>
      </Stack>
    </Paper>
  );
}
