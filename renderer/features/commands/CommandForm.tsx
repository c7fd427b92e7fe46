// The send form, made from the product model's commands: pick service and command, typed inputs for its paras,
// when to send it (now / within 1 h / within 48 h), re-sends and an optional status callback URL.
import {
  Button,
  Card,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconSend } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProductModel } from '../../../core/contract/index.js';
import { notifyApiError } from '../../api/errorNotifications.js';
import { ParaInput, paraValue, type ParaDraft } from './ParaInput.js';

export interface CommandDraft {
  serviceId: string;
  method: string;
  paras: Record<string, unknown>;
  expireTime: number;
  maxRetransmit: number;
  callbackUrl?: string;
}

const expirePresets = [
  { value: '0', labelKey: 'commands.form.now' },
  { value: '3600', labelKey: 'commands.form.hour' },
  { value: '172800', labelKey: 'commands.form.twoDays' },
] as const;

/** Every model command as `serviceId / name`. */
export function modelCommands(model: ProductModel | undefined) {
  return (model?.services ?? []).flatMap((s) => s.commands.map((c) => ({ service: s, command: c })));
}

export function CommandForm({
  model,
  busy,
  onSend,
  showTiming = true,
  submitLabel,
}: {
  model: ProductModel | undefined;
  busy: boolean;
  onSend: (draft: CommandDraft) => Promise<unknown>;
  showTiming?: boolean;
  submitLabel?: string;
}) {
  const { t } = useTranslation();
  const all = modelCommands(model);
  const [choice, setChoice] = useState<string | null>(
    all[0] ? `${all[0].service.serviceId}/${all[0].command.name}` : null,
  );
  const [drafts, setDrafts] = useState<Record<string, ParaDraft>>({});
  const [expire, setExpire] = useState<string>('172800');
  const [retransmit, setRetransmit] = useState<number>(0);
  const [callbackUrl, setCallbackUrl] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const selected = all.find((x) => `${x.service.serviceId}/${x.command.name}` === choice);

  if (all.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('commands.form.noCommands')}
      </Text>
    );

  const submit = () => {
    if (!selected) return;
    const paras: Record<string, unknown> = {};
    const found: Record<string, string> = {};
    for (const field of selected.command.paras) {
      const { value, error } = paraValue(field, drafts[field.name]);
      if (error) found[field.name] = t(error);
      else if (value === undefined && field.required) found[field.name] = t('commands.form.required');
      else if (value !== undefined) paras[field.name] = value;
    }
    setErrors(found);
    if (Object.keys(found).length) return;
    onSend({
      serviceId: selected.service.serviceId,
      method: selected.command.name,
      paras,
      expireTime: Number(expire),
      maxRetransmit: retransmit,
      ...(callbackUrl.trim() ? { callbackUrl: callbackUrl.trim() } : {}),
    }).catch(notifyApiError);
  };

  return (
    <Stack gap="sm">
      <Select
        label={t('commands.form.command')}
        data={all.map((x) => ({
          value: `${x.service.serviceId}/${x.command.name}`,
          label: `${x.service.serviceId} · ${x.command.name}`,
        }))}
        value={choice}
        onChange={(v) => {
          setChoice(v);
          setDrafts({});
          setErrors({});
        }}
        allowDeselect={false}
        data-testid="command-select"
      />
      {selected?.command.description && (
        <Text size="xs" c="dimmed">
          {selected.command.description}
        </Text>
      )}
      {selected?.command.paras.length === 0 && (
        <Text size="xs" c="dimmed">
          {t('commands.form.noParas')}
        </Text>
      )}
      {selected?.command.paras.map((field) => (
        <ParaInput
          key={`${choice}/${field.name}`}
          field={field}
          value={drafts[field.name]}
          error={errors[field.name]}
          onChange={(v) => setDrafts((d) => ({ ...d, [field.name]: v }))}
        />
      ))}
      {showTiming && (
        <>
          <div>
            <Text size="sm" fw={500} mb={4}>
              {t('commands.form.when')}
            </Text>
            <SegmentedControl
              value={expire}
              onChange={setExpire}
              data={expirePresets.map((p) => ({ value: p.value, label: t(p.labelKey) }))}
              data-testid="command-expire"
            />
            <Text size="xs" c="dimmed" mt={4}>
              {expire === '0' ? t('commands.form.nowHint') : t('commands.form.cachedHint')}
            </Text>
          </div>
          <Group grow align="flex-start">
            <NumberInput
              label={t('commands.form.maxRetransmit')}
              description={t('commands.form.maxRetransmitHint')}
              min={0}
              max={3}
              value={retransmit}
              onChange={(v) => setRetransmit(typeof v === 'number' ? v : 0)}
            />
            <TextInput
              label={t('commands.form.callbackUrl')}
              description={t('commands.form.callbackUrlHint')}
              placeholder="http://127.0.0.1:8080/v1.0.0/messageReceiver/cmd"
              value={callbackUrl}
              onChange={(e) => setCallbackUrl(e.currentTarget.value)}
            />
          </Group>
        </>
      )}
      <Group justify="flex-end">
        <Button leftSection={<IconSend size={16} />} loading={busy} onClick={submit} data-testid="command-send">
          {submitLabel ?? t('commands.form.send')}
        </Button>
      </Group>
    </Stack>
  );
}

export function CommandFormCard(props: Parameters<typeof CommandForm>[0]) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h5" mb="xs">
        {t('commands.form.title')}
      </Title>
      <CommandForm {...props} />
    </Card>
  );
}
