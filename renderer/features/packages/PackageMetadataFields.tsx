// What a package says about itself and the product it is for (version, device type, manufacturer, model,
// protocol, source versions, description): filled from a product model or typed, alike in the software builder
// and the firmware upload.
import { Select, SimpleGrid, TextInput, Textarea, type MantineSpacing } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { identityFromProduct } from './builderForm.js';
import { useProductIdentities } from './packageQueries.js';

export interface PackageMetadata<P extends string> {
  version: string;
  deviceType: string;
  manufacturerName: string;
  model: string;
  protocolType: P | '';
  supportSourceVersionList: string;
  description: string;
}

export type PackageMetadataField = keyof PackageMetadata<string>;
type TextField = Exclude<PackageMetadataField, 'protocolType'>;
export type ProductIdentity<P extends string> = Pick<
  PackageMetadata<P>,
  'deviceType' | 'manufacturerName' | 'model' | 'protocolType'
>;

export interface PackageMetadataFieldsProps<P extends string> {
  value: PackageMetadata<P>;
  /** The protocols this kind of package may name. */
  protocols: readonly P[];
  /** One field changed by typing or choosing. */
  onFieldChange: (field: PackageMetadataField, text: string) => void;
  /** A product model was picked: its identity, with the protocol left empty when the package kind cannot use it. */
  onProductPicked: (identity: ProductIdentity<P>) => void;
  /** The problem of each field to show now (already filtered to touched fields). */
  errorOf: (field: PackageMetadataField) => string | undefined;
  placeholders?: Partial<Record<TextField, string>>;
  productHint?: string;
  productTestId?: string;
  columns: 2 | 3;
  spacing: MantineSpacing;
  /** The package kind's own fields, in the grid after the product's identity. */
  children?: ReactNode;
}

export function PackageMetadataFields<P extends string>({
  value,
  protocols,
  onFieldChange,
  onProductPicked,
  errorOf,
  placeholders = {},
  productHint,
  productTestId,
  columns,
  spacing,
  children,
}: PackageMetadataFieldsProps<P>) {
  const { t } = useTranslation();
  const products = useProductIdentities();
  const pick = (id: string | null) => {
    const product = products.data?.items.find((p) => p.id === id);
    if (product) onProductPicked(identityFromProduct(product, protocols));
  };
  const text = (field: TextField, label: string, required = false) => (
    <TextInput
      label={t(label)}
      required={required}
      placeholder={placeholders[field]}
      value={value[field]}
      onChange={(e) => onFieldChange(field, e.currentTarget.value)}
      error={errorOf(field)}
    />
  );
  return (
    <>
      <Select
        label={t('packages.builder.fromProduct')}
        description={productHint}
        placeholder={
          products.data?.items.length === 0 ? t('packages.builder.noProducts') : t('packages.builder.pickProduct')
        }
        data={(products.data?.items ?? []).map((p) => ({
          value: p.id,
          label: `${p.deviceType} · ${p.manufacturerName} · ${p.model} · ${p.protocolType}`,
        }))}
        onChange={pick}
        searchable
        clearable
        data-testid={productTestId}
      />
      <SimpleGrid cols={{ base: 1, md: columns }} spacing={spacing}>
        {text('version', 'packages.builder.version', true)}
        <Select
          label={t('packages.builder.protocol')}
          required
          data={protocols.map((p) => ({ value: p, label: p }))}
          value={value.protocolType === '' ? null : value.protocolType}
          onChange={(v) => onFieldChange('protocolType', v ?? '')}
          error={errorOf('protocolType')}
        />
        {text('deviceType', 'packages.builder.deviceType', true)}
        {text('manufacturerName', 'packages.builder.manufacturer', true)}
        {text('model', 'packages.builder.model', true)}
        {children}
      </SimpleGrid>
      <TextInput
        label={t('packages.builder.sourceVersions')}
        description={t('packages.builder.sourceVersionsHint')}
        placeholder={placeholders.supportSourceVersionList}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        value={value.supportSourceVersionList}
        onChange={(e) => onFieldChange('supportSourceVersionList', e.currentTarget.value)}
        error={errorOf('supportSourceVersionList')}
      />
      <Textarea
        label={t('packages.builder.description')}
        autosize
        minRows={2}
        value={value.description}
        onChange={(e) => onFieldChange('description', e.currentTarget.value)}
        error={errorOf('description')}
      />
    </>
  );
}
