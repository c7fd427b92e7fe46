// Add a forwarding target: an HTTP(S) webhook, an MQTT broker, a JSON-lines file sink, AMQP 0-9-1 or Kafka.
import { Alert, Button, Group, Modal, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TargetConfig, TargetKind } from '../../../core/contract/index.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useCreateTarget } from './ruleQueries.js';

const kinds: TargetKind[] = ['http', 'mqtt', 'file', 'amqp', 'kafka'];

interface Fields {
  url: string;
  topic: string;
  qos: string;
  username: string;
  password: string;
  dir: string;
  exchange: string;
  routingKey: string;
  queue: string;
  brokers: string;
}

function configOf(kind: TargetKind, f: Fields): TargetConfig {
  const opt = <K extends string>(key: K, v: string) => (v.trim() ? ({ [key]: v.trim() } as Record<K, string>) : {});
  switch (kind) {
    case 'http':
      return { kind, url: f.url.trim(), headers: {} };
    case 'mqtt':
      return {
        kind,
        url: f.url.trim(),
        topic: f.topic.trim() || 'iotwb/{appId}/{deviceId}',
        qos: f.qos === '0' ? 0 : f.qos === '2' ? 2 : 1,
        ...opt('username', f.username),
        ...opt('password', f.password),
      };
    case 'file':
      return { kind, dir: f.dir.trim(), maxBytes: 10 * 1024 * 1024, maxAgeMinutes: 60 };
    case 'amqp':
      return {
        kind,
        url: f.url.trim(),
        exchange: f.exchange.trim(),
        routingKey: f.routingKey.trim() || 'iotwb.{appId}.{deviceId}',
        ...opt('queue', f.queue),
      };
    case 'kafka':
      return {
        kind,
        brokers: f.brokers
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
        topic: f.topic.trim() || 'iotwb-data',
        clientId: 'iot-workbench',
      };
  }
}

export function TargetModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const create = useCreateTarget();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<TargetKind>('http');
  const [maxBacklog, setMaxBacklog] = useState(100_000);
  const [f, setF] = useState<Fields>({
    url: '',
    topic: '',
    qos: '1',
    username: '',
    password: '',
    dir: 'forwarded',
    exchange: '',
    routingKey: '',
    queue: '',
    brokers: '',
  });
  const text = (key: keyof Fields, label: string, placeholder?: string) => (
    <TextInput
      label={label}
      placeholder={placeholder}
      value={f[key]}
      onChange={(e) => setF({ ...f, [key]: e.currentTarget.value })}
    />
  );
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
          data={kinds.map((k) => ({ value: k, label: t(`rules.targets.kinds.${k}`) }))}
          value={kind}
          onChange={(k) => setKind(kinds.find((x) => x === k) ?? 'http')}
        />
        {kind === 'http' && text('url', t('rules.targets.url'), 'https://example.com/iot')}
        {kind === 'mqtt' && (
          <>
            {text('url', t('rules.targets.url'), 'mqtt://127.0.0.1:1883')}
            {text('topic', t('rules.targets.topic'), 'iotwb/{appId}/{deviceId}')}
            <Select
              label={t('rules.targets.qos')}
              data={['0', '1', '2']}
              value={f.qos}
              allowDeselect={false}
              onChange={(q) => setF({ ...f, qos: q ?? '1' })}
            />
            <Group grow>
              {text('username', t('rules.targets.username'))}
              {text('password', t('rules.targets.password'))}
            </Group>
          </>
        )}
        {kind === 'file' && text('dir', t('rules.targets.dir'))}
        {kind === 'amqp' && (
          <>
            {text('url', t('rules.targets.url'), 'amqp://guest:guest@127.0.0.1:5672')}
            {text('exchange', t('rules.targets.exchange'))}
            {text('routingKey', t('rules.targets.routingKey'), 'iotwb.{appId}.{deviceId}')}
            {text('queue', t('rules.targets.queue'))}
          </>
        )}
        {kind === 'kafka' && (
          <>
            {text('brokers', t('rules.targets.brokers'), '127.0.0.1:9092')}
            {text('topic', t('rules.targets.topic'), 'iotwb-data')}
          </>
        )}
        <NumberInput
          label={t('rules.targets.maxBacklog')}
          description={t('rules.targets.maxBacklogHint')}
          min={10}
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
            onClick={() => create.mutate({ name, config: configOf(kind, f), maxBacklog }, { onSuccess: onClose })}
          >
            {t('rules.targets.add')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
