// The device page's actions that change or remove the device: reset secret (the new one is shown once) and
// delete after a confirmation (a connected device is disconnected; its data goes with it).
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { IconKey, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Device } from '../../../core/contract/index.js';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { useDeleteDevice, useResetSecret } from './deviceQueries.js';

export function ResetSecretButton({ device, onReset }: { device: Device; onReset: (secret: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [custom, setCustom] = useState('');
  const reset = useResetSecret(device.deviceId);
  const close = () => {
    reset.reset();
    setCustom('');
    setOpen(false);
  };
  return (
    <>
      <Button variant="default" leftSection={<IconKey size={16} />} onClick={() => setOpen(true)}>
        {t('devices.secret.reset')}
      </Button>
      <Modal opened={open} onClose={close} title={t('devices.secret.title')}>
        {reset.data ? (
          <Stack gap="sm">
            <Alert color="teal" title={t('devices.secret.done')}>
              {t('devices.secret.once')}
            </Alert>
            <CopyableValue value={reset.data.secret} label={t('devices.fields.secret')} />
            <Group justify="flex-end">
              <Button onClick={close}>{t('devices.register.close')}</Button>
            </Group>
          </Stack>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              reset.mutate(custom || undefined, { onSuccess: (r) => onReset(r.secret) });
            }}
          >
            <Stack gap="sm">
              <Text size="sm">{t('devices.secret.warning')}</Text>
              <TextInput
                label={t('devices.secret.custom')}
                description={t('devices.register.secretHint')}
                value={custom}
                onChange={(e) => setCustom(e.currentTarget.value)}
              />
              {reset.error ? (
                <Alert color="red" title={t('devices.secret.failed')}>
                  {reset.error.message}
                </Alert>
              ) : null}
              <Group justify="flex-end">
                <Button variant="default" onClick={close}>
                  {t('devices.register.cancel')}
                </Button>
                <Button type="submit" color="orange" loading={reset.isPending}>
                  {t('devices.secret.confirm')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}

export function DeleteDeviceButton({ device }: { device: Device }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const remove = useDeleteDevice();
  return (
    <>
      <Button variant="default" color="red" leftSection={<IconTrash size={16} />} onClick={() => setOpen(true)}>
        {t('devices.delete.open')}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('devices.delete.title')}>
        <Stack gap="sm">
          <Text size="sm">{t('devices.delete.warning')}</Text>
          {device.nodeType === 'GATEWAY' && (
            <Text size="sm" c="red" data-testid="delete-gateway-warning">
              {t('gateways.deleteWithSubDevices')}
            </Text>
          )}
          <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {device.deviceId}
          </Text>
          {remove.error ? (
            <Alert color="red" title={t('devices.delete.failed')}>
              {remove.error.message}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              {t('devices.register.cancel')}
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(device.deviceId, {
                  onSuccess: () => {
                    setOpen(false);
                    void navigate('/devices');
                  },
                })
              }
            >
              {t('devices.delete.confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
