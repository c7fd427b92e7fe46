// What a firmware package needs at upload (it has no UpgradeDesc.json): version, product identity, protocol.
import { Stack } from '@mantine/core';
import { firmwareProtocols } from '../../../core/contract/index.js';
import type { FirmwareMetadataForm } from './builderForm.js';
import { PackageMetadataFields } from './PackageMetadataFields.js';

export interface FirmwareMetadataFieldsProps {
  value: FirmwareMetadataForm;
  onChange: (value: FirmwareMetadataForm) => void;
  /** The problem of each field to show now (already filtered to touched fields). */
  errorOf: (field: keyof FirmwareMetadataForm) => string | undefined;
}

export function FirmwareMetadataFields({ value, onChange, errorOf }: FirmwareMetadataFieldsProps) {
  return (
    <Stack gap="sm" data-testid="firmware-metadata">
      <PackageMetadataFields
        value={value}
        protocols={firmwareProtocols}
        onFieldChange={(field, text) => onChange({ ...value, [field]: text })}
        onProductPicked={(identity) => onChange({ ...value, ...identity })}
        errorOf={errorOf}
        placeholders={{ version: 'V2.0', supportSourceVersionList: 'V1.*' }}
        columns={3}
        spacing="sm"
      />
    </Stack>
  );
}
