// What a firmware package needs at upload (it has no UpgradeDesc.json): version, product identity, protocol.
import { Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { firmwareProtocols } from '../../../core/contract/index.js';
import { identityFromProduct, type FirmwareMetadataForm } from './builderForm.js';
import { useProductIdentities } from './packageQueries.js';

export interface FirmwareMetadataFieldsProps {
  value: FirmwareMetadataForm;
  onChange: (value: FirmwareMetadataForm) => void;
  /** The problem of each field to show now (already filtered to touched fields). */
  errorOf: (field: keyof FirmwareMetadataForm) => string | undefined;
}

export function FirmwareMetadataFields({ value, onChange, errorOf }: FirmwareMetadataFieldsProps) {
  const { t } = useTranslation();
  const products = useProductIdentities();
  const set = (field: keyof FirmwareMetadataForm) => (text: string) => onChange({ ...value, [field]: text });
  const fillFromProduct = (id: string | null) => {
    const product = products.data?.items.find((p) => p.id === id);
    if (product) onChange({ ...value, ...identityFromProduct(product, firmwareProtocols) });
  };
  return (
    <Stack gap="sm" data-testid="firmware-metadata">
      <Select
        label={t('packages.builder.fromProduct')}
        placeholder={
          products.data?.items.length === 0 ? t('packages.builder.noProducts') : t('packages.builder.pickProduct')
        }
        data={(products.data?.items ?? []).map((p) => ({
          value: p.id,
          label: `${p.deviceType} · ${p.manufacturerName} · ${p.model} · ${p.protocolType}`,
        }))}
        onChange={fillFromProduct}
        searchable
        clearable
      />
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
        <TextInput
          label={t('packages.builder.version')}
          required
          placeholder="V2.0"
          value={value.version}
          onChange={(e) => set('version')(e.currentTarget.value)}
          error={errorOf('version')}
        />
        <Select
          label={t('packages.builder.protocol')}
          required
          data={firmwareProtocols.map((p) => ({ value: p, label: p }))}
          value={value.protocolType === '' ? null : value.protocolType}
          onChange={(v) => set('protocolType')(v ?? '')}
          error={errorOf('protocolType')}
        />
        <TextInput
          label={t('packages.builder.deviceType')}
          required
          value={value.deviceType}
          onChange={(e) => set('deviceType')(e.currentTarget.value)}
          error={errorOf('deviceType')}
        />
        <TextInput
          label={t('packages.builder.manufacturer')}
          required
          value={value.manufacturerName}
          onChange={(e) => set('manufacturerName')(e.currentTarget.value)}
          error={errorOf('manufacturerName')}
        />
        <TextInput
          label={t('packages.builder.model')}
          required
          value={value.model}
          onChange={(e) => set('model')(e.currentTarget.value)}
          error={errorOf('model')}
        />
        <TextInput
          label={t('packages.builder.sourceVersions')}
          placeholder="V1.*"
          value={value.supportSourceVersionList}
          onChange={(e) => set('supportSourceVersionList')(e.currentTarget.value)}
          error={errorOf('supportSourceVersionList')}
        />
      </SimpleGrid>
      <TextInput
        label={t('packages.builder.description')}
        value={value.description}
        onChange={(e) => set('description')(e.currentTarget.value)}
        error={errorOf('description')}
      />
    </Stack>
  );
}
