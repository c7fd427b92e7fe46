// Registers one device, by secret (the secret is shown once) or by verify code (the device must come online
// before a deadline, else the registration is deleted).
import { Alert, Button, Group, Modal, NumberInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CopyableValue } from '../../ui/CopyableValue.js';
import { ProductSelect } from './ProductSelect.js';
import { useRegisterDevice } from './deviceQueries.js';
import { formatDateTime } from '../../app/i18n.js';

type Mode = 'secret' | 'verifyCode';
const DEFAULT_TIMEOUT_S = 180;

export function RegisterDeviceModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const register = useRegisterDevice();
  const [mode, setMode] = useState<Mode>('secret');
  const [productId, setProductId] = useState<string | null>(null);
  const [nodeId, setNodeId] = useState('');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const [verifyCode, setVerifyCode] = useState('');
  const [timeout, setTimeoutS] = useState<number | string>(DEFAULT_TIMEOUT_S);

  const close = () => {
    register.reset();
    setNodeId('');
    setName('');
    setSecret('');
    setVerifyCode('');
    onClose();
  };

  const done = register.data;
  return (
    <Modal opened={opened} onClose={close} title={t('devices.register.title')}>
      {done ? (
        <Stack gap="sm">
          <Alert color="teal" title={t('devices.register.done')}>
            {t('devices.register.secretOnce')}
          </Alert>
          <Text size="sm" fw={500}>
            {t('devices.fields.deviceId')}
          </Text>
          <CopyableValue value={done.device.deviceId} label={t('devices.fields.deviceId')} />
          <Text size="sm" fw={500}>
            {t('devices.fields.secret')}
          </Text>
          <CopyableValue value={done.secret} label={t('devices.fields.secret')} />
          {done.device.verifyCode ? (
            <>
              <Text size="sm" fw={500}>
                {t('devices.fields.verifyCode')}
              </Text>
              <CopyableValue value={done.device.verifyCode} label={t('devices.fields.verifyCode')} />
              <Text size="sm" c="dimmed">
                {done.device.activationDeadline
                  ? t('devices.register.deadline', {
                      time: formatDateTime(done.device.activationDeadline),
                    })
                  : t('devices.register.noDeadline')}
              </Text>
            </>
          ) : null}
          <Group justify="flex-end">
            <Button
              variant="default"
              component={Link}
              to={`/devices/${encodeURIComponent(done.device.deviceId)}`}
              onClick={close}
            >
              {t('devices.register.openDevice')}
            </Button>
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
              ...(mode === 'verifyCode'
                ? { verifyCode: verifyCode.trim() || nodeId.trim(), timeout: Number(timeout) || 0 }
                : {}),
            });
          }}
        >
          <Stack gap="sm">
            <SegmentedControl
              value={mode}
              onChange={setMode}
              data={[
                { value: 'secret', label: t('devices.register.bySecret') },
                { value: 'verifyCode', label: t('devices.register.byVerifyCode') },
              ]}
            />
            <ProductSelect label={t('devices.fields.product')} required value={productId} onChange={setProductId} />
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
            {mode === 'verifyCode' ? (
              <Group grow align="flex-start">
                <TextInput
                  label={t('devices.fields.verifyCode')}
                  description={t('devices.register.verifyCodeHint')}
                  value={verifyCode}
                  onChange={(e) => setVerifyCode(e.currentTarget.value)}
                />
                <NumberInput
                  label={t('devices.register.timeout')}
                  description={t('devices.register.timeoutHint')}
                  min={0}
                  max={2147483647}
                  value={timeout}
                  onChange={setTimeoutS}
                />
              </Group>
            ) : null}
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
