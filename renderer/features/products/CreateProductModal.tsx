// Create a product by hand: identity only; services are added on its page (none = a pass-through product).
import { Alert, Button, Group, Modal, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { protocolTypes, type ProductModel, type ProtocolType } from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { useCreateProduct } from './productQueries.js';

type Draft = Pick<ProductModel, 'deviceType' | 'manufacturerId' | 'manufacturerName' | 'model' | 'description'> & {
  protocolType: ProtocolType;
};

const empty: Draft = { deviceType: '', manufacturerId: '', manufacturerName: '', model: '', protocolType: 'MQTT' };

export function CreateProductModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useCreateProduct();
  const [draft, setDraft] = useState<Draft>(empty);
  const [touched, setTouched] = useState(false);
  const set = (key: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const missing = (key: 'deviceType' | 'manufacturerId' | 'manufacturerName' | 'model') =>
    touched && draft[key].trim() === '' ? t('products.create.required') : undefined;
  const serverError = create.error instanceof ApiClientError ? create.error : undefined;

  const submit = () => {
    setTouched(true);
    const required = [draft.deviceType, draft.manufacturerId, draft.manufacturerName, draft.model];
    if (required.some((v) => v.trim() === '')) return;
    create.mutate(
      {
        ...draft,
        description: draft.description?.trim() ? draft.description : undefined,
        services: [],
        omCapability: {},
        customTopics: [],
      },
      {
        onSuccess: (product) => {
          setDraft(empty);
          setTouched(false);
          onClose();
          void navigate(`/products/${product.id}`);
        },
      },
    );
  };

  return (
    <Modal opened={opened} onClose={onClose} title={t('products.create.title')} size="lg">
      <Stack gap="sm">
        <Group grow>
          <TextInput
            label={t('products.fields.deviceType')}
            placeholder="WaterMeter"
            value={draft.deviceType}
            onChange={(e) => set('deviceType')(e.currentTarget.value)}
            error={missing('deviceType')}
            withAsterisk
          />
          <TextInput
            label={t('products.fields.model')}
            placeholder="NBIoTDevice"
            value={draft.model}
            onChange={(e) => set('model')(e.currentTarget.value)}
            error={missing('model')}
            withAsterisk
          />
        </Group>
        <Group grow>
          <TextInput
            label={t('products.fields.manufacturerId')}
            value={draft.manufacturerId}
            onChange={(e) => set('manufacturerId')(e.currentTarget.value)}
            error={missing('manufacturerId')}
            withAsterisk
          />
          <TextInput
            label={t('products.fields.manufacturerName')}
            value={draft.manufacturerName}
            onChange={(e) => set('manufacturerName')(e.currentTarget.value)}
            error={missing('manufacturerName')}
            withAsterisk
          />
        </Group>
        <Select
          label={t('products.fields.protocolType')}
          data={[...protocolTypes]}
          value={draft.protocolType}
          onChange={(v) => v && set('protocolType')(v)}
          allowDeselect={false}
        />
        <Textarea
          label={t('products.fields.description')}
          value={draft.description ?? ''}
          onChange={(e) => set('description')(e.currentTarget.value)}
          autosize
          minRows={2}
        />
        {serverError && (
          <Alert color="red" variant="light" role="alert">
            {serverError.code}: {serverError.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('products.common.cancel')}
          </Button>
          <Button onClick={submit} loading={create.isPending}>
            {t('products.create.submit')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
