// Device ports and bind address: saved values vs the ones the running core uses, saved for the next start.
import { Alert, Button, Card, Group, NumberInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconInfoCircle, IconRestore } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings } from '../../../core/contract/index.js';
import { ApiClientError } from '../../api/client.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { usePlatformInfo, useSaveSettings, useSettings } from '../../api/platformQueries.js';
import { ErrorState, LoadingState } from '../../ui/QueryStates.js';
import {
  changedSettings,
  differsFromActive,
  draftFrom,
  fieldErrorKeys,
  fieldFromErrorPath,
  validateDraft,
  type FieldErrors,
  type SettingsDraft,
} from './portSettingsForm.js';

/** What the running core uses; for a port configured as 0, the port the OS picked at start. */
function ActiveValue({ value, assignedPort }: { value: string | number; assignedPort?: number }) {
  const { t } = useTranslation();
  if (value === 0 && assignedPort !== undefined) {
    return <>{t('settings.ports.activeAnyPort', { port: assignedPort })}</>;
  }
  return <>{t('settings.ports.activeValue', { value: String(value) })}</>;
}

interface PortSettingsFormProps {
  saved: Settings;
  active: Settings;
  /** Ports the OS assigned, by listener name, from the platform info. */
  assignedPorts: Record<string, number> | undefined;
}

function PortSettingsForm({ saved, active, assignedPorts }: PortSettingsFormProps) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFrom(saved));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<unknown>(undefined);
  const save = useSaveSettings();

  // New saved settings (after a save, or changed elsewhere) restart the draft from them.
  const [draftBase, setDraftBase] = useState(saved);
  if (draftBase !== saved) {
    setDraftBase(saved);
    setDraft(draftFrom(saved));
  }

  const validation = validateDraft(draft);
  const pending = validation.settings ? changedSettings(saved, validation.settings) : undefined;
  const dirty = pending === undefined || Object.keys(pending).length > 0;
  const restartNote = differsFromActive(saved, active);

  const update = <K extends keyof SettingsDraft>(field: K, value: SettingsDraft[K]) => {
    setDraft((previous) => ({ ...previous, [field]: value }));
    setErrors((previous) => ({ ...previous, [field]: undefined }));
  };

  const submit = () => {
    setFormError(undefined);
    if (!validation.settings) {
      setErrors(Object.fromEntries(validation.invalidFields.map((field) => [field, t(fieldErrorKeys[field])])));
      return;
    }
    const changes = changedSettings(saved, validation.settings);
    if (Object.keys(changes).length === 0) return;
    save.mutate(changes, {
      onError: (error) => {
        const field = error instanceof ApiClientError ? fieldFromErrorPath(error.path) : undefined;
        if (field && error instanceof ApiClientError) setErrors({ [field]: error.message });
        else setFormError(error);
      },
    });
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
      noValidate
    >
      <Stack gap="sm">
        {restartNote && (
          <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} data-testid="restart-note">
            {t('settings.ports.appliesOnNextStart')}
          </Alert>
        )}
        <Group align="flex-start" gap="md" wrap="wrap">
          <NumberInput
            label={t('settings.ports.mqttPort')}
            description={<ActiveValue value={active.mqttPort} assignedPort={assignedPorts?.mqtt} />}
            value={draft.mqttPort}
            onChange={(value) => update('mqttPort', value)}
            error={errors.mqttPort}
            min={0}
            max={65535}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            w={200}
            name="mqttPort"
          />
          <NumberInput
            label={t('settings.ports.coapPort')}
            description={<ActiveValue value={active.coapPort} assignedPort={assignedPorts?.coap} />}
            value={draft.coapPort}
            onChange={(value) => update('coapPort', value)}
            error={errors.coapPort}
            min={0}
            max={65535}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            w={200}
            name="coapPort"
          />
          <TextInput
            label={t('settings.ports.bindAddress')}
            description={<ActiveValue value={active.deviceBindAddress} />}
            value={draft.deviceBindAddress}
            onChange={(event) => update('deviceBindAddress', event.currentTarget.value)}
            error={errors.deviceBindAddress}
            w={220}
            name="deviceBindAddress"
            spellCheck={false}
          />
        </Group>
        <Text size="xs" c="dimmed">
          {t('settings.ports.hint')}
        </Text>
        {formError !== undefined && (
          <Alert color="red" variant="light" title={describeApiError(formError).title}>
            {describeApiError(formError).message}
          </Alert>
        )}
        {save.isSuccess && !dirty && (
          <Text size="sm" c="teal" role="status" data-testid="settings-saved">
            {save.data.restartRequired ? t('settings.ports.savedRestart') : t('settings.ports.saved')}
          </Text>
        )}
        <Group gap="xs">
          <Button type="submit" loading={save.isPending} disabled={!dirty}>
            {t('settings.ports.save')}
          </Button>
          <Button
            variant="default"
            leftSection={<IconRestore size={14} />}
            disabled={!dirty}
            onClick={() => {
              setDraft(draftFrom(saved));
              setErrors({});
              setFormError(undefined);
            }}
          >
            {t('settings.ports.reset')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function PortSettings() {
  const { t } = useTranslation();
  const settings = useSettings();
  const info = usePlatformInfo();
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h5" mb={2}>
        {t('settings.ports.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('settings.ports.description')}
      </Text>
      {settings.isPending ? (
        <LoadingState />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <PortSettingsForm saved={settings.data.saved} active={settings.data.active} assignedPorts={info.data?.ports} />
      )}
    </Card>
  );
}
