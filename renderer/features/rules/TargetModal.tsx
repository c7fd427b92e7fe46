// Add a forwarding target: an HTTP(S) webhook, an MQTT broker, a JSON-lines file sink, AMQP 0-9-1 or Kafka.
import {
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TargetKind } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useCreateTarget } from './ruleQueries.js';
import {
  emptyTargetFields,
  saslMechanisms,
  targetConfigOf,
  targetKinds,
  usesTls,
  type TargetFields,
} from './targetDraft.js';

type TextField = { [K in keyof TargetFields]: TargetFields[K] extends string ? K : never }[keyof TargetFields];

export function TargetModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const create = useCreateTarget();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<TargetKind>('http');
  const [maxBacklog, setMaxBacklog] = useState(100_000);
  const [f, setF] = useState<TargetFields>(emptyTargetFields);
  const set = (patch: Partial<TargetFields>) => setF((old) => ({ ...old, ...patch }));
  const text = (key: TextField, label: string, placeholder?: string, description?: string) => (
    <TextInput
      label={label}
      placeholder={placeholder}
      description={description}
      value={f[key]}
      onChange={(e) => set({ [key]: e.currentTarget.value })}
    />
  );
  const credentials = (
    <Group grow align="flex-start">
      {text('username', t('rules.targets.username'))}
      <PasswordInput
        label={t('rules.targets.password')}
        value={f.password}
        onChange={(e) => set({ password: e.currentTarget.value })}
      />
    </Group>
  );
  const tls = usesTls(kind, f);

  return (
    <Modal opened onClose={onClose} title={t('rules.targets.newTitle')} size="lg">
      <Stack>
        <TextInput
          label={t('rules.targets.name')}
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <Select
          label={t('rules.targets.kind')}
          allowDeselect={false}
          data={targetKinds.map((k) => ({ value: k, label: t(`rules.targets.kinds.${k}`) }))}
          value={kind}
          onChange={(k) => setKind(targetKinds.find((x) => x === k) ?? 'http')}
        />
        {kind === 'http' && (
          <>
            {text('url', t('rules.targets.url'), 'https://example.com/iot', t('rules.targets.httpHint'))}
            <Textarea
              label={t('rules.targets.headers')}
              description={t('rules.targets.headersHint')}
              placeholder="Authorization: Bearer …"
              autosize
              minRows={2}
              value={f.headers}
              onChange={(e) => set({ headers: e.currentTarget.value })}
            />
          </>
        )}
        {kind === 'mqtt' && (
          <>
            {text('url', t('rules.targets.url'), 'mqtt://127.0.0.1:1883', t('rules.targets.mqttHint'))}
            <Group grow align="flex-start">
              {text('topic', t('rules.targets.topic'), 'iotwb/{appId}/{deviceId}', t('rules.targets.templateHint'))}
              <Select
                label={t('rules.targets.qos')}
                description={t('rules.targets.qosHint')}
                data={['0', '1', '2'].map((q) => ({ value: q, label: t(`rules.targets.qosLevels.${q}`) }))}
                value={String(f.qos)}
                allowDeselect={false}
                onChange={(q) => set({ qos: q === '0' ? 0 : q === '2' ? 2 : 1 })}
              />
            </Group>
            {credentials}
            {text('clientId', t('rules.targets.clientId'), undefined, t('rules.targets.clientIdHint'))}
          </>
        )}
        {kind === 'file' && (
          <>
            {text('dir', t('rules.targets.dir'))}
            <Group grow align="flex-start">
              <NumberInput
                label={t('rules.targets.maxMiB')}
                min={1}
                max={1024}
                value={f.maxMiB}
                onChange={(n) => set({ maxMiB: typeof n === 'number' ? n : 10 })}
              />
              <NumberInput
                label={t('rules.targets.maxAgeMinutes')}
                min={1}
                max={10_080}
                allowDecimal={false}
                value={f.maxAgeMinutes}
                onChange={(n) => set({ maxAgeMinutes: typeof n === 'number' ? n : 60 })}
              />
            </Group>
            <Text size="xs" c="dimmed">
              {t('rules.targets.rotateHint')}
            </Text>
          </>
        )}
        {kind === 'amqp' && (
          <>
            {text('url', t('rules.targets.url'), 'amqp://guest:guest@127.0.0.1:5672', t('rules.targets.amqpHint'))}
            <Group grow align="flex-start">
              {text('exchange', t('rules.targets.exchange'), undefined, t('rules.targets.exchangeHint'))}
              {text(
                'routingKey',
                t('rules.targets.routingKey'),
                'iotwb.{appId}.{deviceId}',
                t('rules.targets.templateHint'),
              )}
            </Group>
            {text('queue', t('rules.targets.queue'), undefined, t('rules.targets.queueHint'))}
          </>
        )}
        {kind === 'kafka' && (
          <>
            {text('brokers', t('rules.targets.brokers'), '127.0.0.1:9092')}
            <Group grow align="flex-start">
              {text('topic', t('rules.targets.topic'), 'iotwb-data', t('rules.targets.templateHint'))}
              {text('clientId', t('rules.targets.clientId'), 'iot-workbench')}
            </Group>
            <Select
              label={t('rules.targets.sasl')}
              allowDeselect={false}
              data={[
                { value: 'none', label: t('rules.targets.saslNone') },
                ...saslMechanisms.map((m) => ({ value: m, label: m.toUpperCase() })),
              ]}
              value={f.sasl}
              onChange={(m) => set({ sasl: saslMechanisms.find((x) => x === m) ?? 'none' })}
            />
            {f.sasl !== 'none' && credentials}
            <Switch
              label={t('rules.targets.kafkaTls')}
              checked={f.tls}
              onChange={(e) => set({ tls: e.currentTarget.checked })}
            />
          </>
        )}
        {tls && (
          <Fieldset legend={t('rules.targets.tls')} data-testid="target-tls">
            <Stack gap="xs">
              <Textarea
                label={t('rules.targets.ca')}
                description={t('rules.targets.caHint')}
                placeholder="-----BEGIN CERTIFICATE-----"
                autosize
                minRows={2}
                maxRows={6}
                styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
                value={f.ca}
                onChange={(e) => set({ ca: e.currentTarget.value })}
              />
              <Checkbox
                label={t('rules.targets.verifyServer')}
                checked={f.verifyServer}
                onChange={(e) => set({ verifyServer: e.currentTarget.checked })}
              />
            </Stack>
          </Fieldset>
        )}
        <NumberInput
          label={t('rules.targets.maxBacklog')}
          description={t('rules.targets.maxBacklogHint')}
          min={10}
          max={10_000_000}
          allowDecimal={false}
          thousandSeparator=","
          value={maxBacklog}
          onChange={(n) => setMaxBacklog(typeof n === 'number' ? n : 100_000)}
        />
        {create.error && (
          <Alert color="red" variant="light" title={describeApiError(create.error).title} role="alert">
            {describeApiError(create.error).message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('rules.cancel')}
          </Button>
          <Button
            loading={create.isPending}
            onClick={() => create.mutate({ name, config: targetConfigOf(kind, f), maxBacklog }, { onSuccess: onClose })}
          >
            {t('rules.targets.add')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
