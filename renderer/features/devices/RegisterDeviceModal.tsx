// Registers one device; the secret is shown once, right after registration.
import { Alert, Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useProductList } from '../products/productQueries.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { useRegisterDevice } from './deviceQueries.js';

export function RegisterDeviceModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const products = useProductList({ limit: 500 });
  const register = useRegisterDevice();
  const [productId, setProductId] = useState<string | null>(null);
  const [nodeId, setNodeId] = useState('');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');

  const close = () => {
    register.reset();
    setNodeId('');
    setName('');
    setSecret('');
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title={t('devices.register.title')}>
      {register.data ? (
        <Stack gap="sm">
          <Alert color="teal" title={t('devices.register.done')}>
            {t('devices.register.secretOnce')}
          </Alert>
          <Text size="sm" fw={500}>
            {t('devices.fields.deviceId')}
          </Text>
          <CopyableValue value={register.data.device.deviceId} label={t('devices.fields.deviceId')} />
          <Text size="sm" fw={500}>
            {t('devices.fields.secret')}
          </Text>
          <CopyableValue value={register.data.secret} label={t('devices.fields.secret')} />
          <Group justify="flex-end">
            <Button onClick={close}>{t('devices.register.close')}</Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!productId) return;
            register.mutate({
              productId,
              nodeId: nodeId.trim(),
              ...(name.trim() ? { name: name.trim() } : {}),
              ...(secret ? { secret } : {}),
            });
          }}
        >
          <Stack gap="sm">
            <Select
              label={t('devices.fields.product')}
              required
              searchable
              value={productId}
              onChange={setProductId}
              data={(products.data?.items ?? []).map((p) => ({
                value: p.id,
                label: `${p.deviceType} · ${p.model} (${p.protocolType})`,
              }))}
            />
            <TextInput
              label={t('devices.fields.nodeId')}
              description={t('devices.register.nodeIdHint')}
              required
              value={nodeId}
              onChange={(e) => setNodeId(e.currentTarget.value)}
            />
            <TextInput label={t('devices.fields.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <TextInput
              label={t('devices.fields.secret')}
              description={t('devices.register.secretHint')}
              value={secret}
              onChange={(e) => setSecret(e.currentTarget.value)}
            />
            {register.error ? (
              <Alert color="red" title={t('devices.register.failed')}>
                {register.error.message}
              </Alert>
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('devices.register.cancel')}
              </Button>
              <Button type="submit" loading={register.isPending} disabled={!productId || !nodeId.trim()}>
                {t('devices.register.submit')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
