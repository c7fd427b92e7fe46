// The product secret of an MQTT product (one-model-one-secret login, authType 1): hidden until shown, copy, reset.
import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Modal,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconCheck, IconCopy, IconEye, IconEyeOff, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeApiError } from '../../api/errorNotifications.js';
import { ErrorState } from '../../ui/QueryStates.js';
import { useProductSecret, useResetProductSecret } from './productQueries.js';

const MASK = '•'.repeat(16);

function ResetSecretModal({ productId, onClose }: { productId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const reset = useResetProductSecret(productId);
  const [own, setOwn] = useState('');
  return (
    <Modal opened onClose={onClose} title={t('products.secret.resetTitle')}>
      <Stack>
        <Text size="sm">{t('products.secret.resetConfirm')}</Text>
        <TextInput
          label={t('products.secret.own')}
          description={t('products.secret.ownHint')}
          value={own}
          onChange={(e) => setOwn(e.currentTarget.value)}
          autoComplete="off"
          data-testid="product-secret-own"
        />
        {reset.isError && <Alert color="red">{describeApiError(reset.error).message}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('products.common.cancel')}
          </Button>
          <Button
            color="red"
            loading={reset.isPending}
            onClick={() => reset.mutate(own.trim() === '' ? undefined : own.trim(), { onSuccess: onClose })}
          >
            {t('products.secret.reset')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function ProductSecretCard({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const secret = useProductSecret(productId);
  const [shown, setShown] = useState(false);
  const [resetting, setResetting] = useState(false);
  const value = secret.data?.secret;

  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={3} size="h5">
          {t('products.secret.title')}
        </Title>
        <Button
          size="compact-sm"
          variant="light"
          color="red"
          leftSection={<IconRefresh size={14} />}
          onClick={() => setResetting(true)}
          disabled={value === undefined}
        >
          {t('products.secret.reset')}
        </Button>
      </Group>
      {secret.isError ? (
        <ErrorState error={secret.error} onRetry={() => void secret.refetch()} />
      ) : (
        <Group gap={4} wrap="nowrap" miw={0}>
          <Text ff="monospace" size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="product-secret">
            {value === undefined ? t('products.secret.loading') : shown ? value : MASK}
          </Text>
          <Tooltip label={shown ? t('products.secret.hide') : t('products.secret.show')} withArrow>
            <ActionIcon
              color="gray"
              size="sm"
              onClick={() => setShown((s) => !s)}
              aria-label={shown ? t('products.secret.hide') : t('products.secret.show')}
              disabled={value === undefined}
            >
              {shown ? <IconEyeOff size={14} /> : <IconEye size={14} />}
            </ActionIcon>
          </Tooltip>
          <CopyButton value={value ?? ''} timeout={1500}>
            {({ copied, copy }) => {
              const label = copied ? t('common.copied') : t('common.copyWhat', { what: t('products.secret.title') });
              return (
                <Tooltip label={label} withArrow>
                  <ActionIcon
                    color={copied ? 'teal' : 'gray'}
                    size="sm"
                    onClick={copy}
                    aria-label={label}
                    disabled={value === undefined}
                  >
                    {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
                  </ActionIcon>
                </Tooltip>
              );
            }}
          </CopyButton>
        </Group>
      )}
      <Text size="xs" c="dimmed" mt="xs">
        {t('products.secret.hint')} <Code>{`${productId}_<nodeId>_1_0_<YYYYMMDDHH>`}</Code>{' '}
        {t('products.secret.hintUser')}
      </Text>
      <Text size="xs" c="dimmed" mt={4}>
        {t('products.secret.hintRegistered')}
      </Text>
      {resetting && <ResetSecretModal productId={productId} onClose={() => setResetting(false)} />}
    </Card>
  );
}
