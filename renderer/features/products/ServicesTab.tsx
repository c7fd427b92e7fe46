// Services as forms: add, edit and remove services, their properties and their commands, with the core's findings inline.
import { ActionIcon, Badge, Button, Card, Group, Modal, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Command, Service } from '../../../core/contract/index.js';
import { EmptyState } from '../../ui/QueryStates.js';
import { DraftSaveBar } from './DraftSaveBar.js';
import { FieldTable } from './FieldTable.js';
import type { ProductTabProps } from './productTabs.js';
import { useModelDraft } from './useModelDraft.js';

type Draft = ReturnType<typeof useModelDraft>;

function ServiceModal({
  initial,
  onClose,
  onSave,
}: {
  initial: Pick<Service, 'serviceId' | 'serviceType' | 'option' | 'description'>;
  onClose: () => void;
  onSave: (value: Pick<Service, 'serviceId' | 'serviceType' | 'option' | 'description'>) => void;
}) {
  const { t } = useTranslation();
  const [value, setValue] = useState(initial);
  const missing = value.serviceId.trim() === '' || value.serviceType.trim() === '';
  return (
    <Modal opened onClose={onClose} title={t('products.services.serviceTitle')}>
      <Stack gap="sm">
        <TextInput
          label={t('products.services.serviceId')}
          value={value.serviceId}
          onChange={(e) => {
            const serviceId = e.currentTarget.value;
            // A new service's type follows its id until the user sets the type.
            setValue((v) => ({
              ...v,
              serviceId,
              serviceType: v.serviceType === v.serviceId ? serviceId : v.serviceType,
            }));
          }}
          withAsterisk
          data-autofocus
        />
        <TextInput
          label={t('products.services.serviceType')}
          value={value.serviceType}
          onChange={(e) => setValue((v) => ({ ...v, serviceType: e.currentTarget.value }))}
          withAsterisk
        />
        <Select
          label={t('products.services.option')}
          data={['Master', 'Mandatory', 'Optional']}
          value={value.option}
          onChange={(o) => o && setValue((v) => ({ ...v, option: o }))}
          allowDeselect={false}
        />
        <TextInput
          label={t('products.field.description')}
          value={value.description ?? ''}
          onChange={(e) => setValue((v) => ({ ...v, description: e.currentTarget.value || undefined }))}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('products.common.cancel')}
          </Button>
          <Button disabled={missing} onClick={() => onSave(value)}>
            {t('products.common.apply')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function CommandCard({
  command,
  at,
  draft,
  readOnly,
  onChange,
  onRemove,
}: {
  command: Command;
  at: string;
  draft: Draft;
  readOnly: boolean;
  onChange: (command: Command) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const nameIssues = draft.issuesUnder(`${at}.name`);
  return (
    <Card withBorder padding="sm" data-testid={`command-${command.name}`}>
      <Group justify="space-between" mb={4}>
        <Group gap="xs">
          <TextInput
            size="xs"
            w={300}
            ff="monospace"
            aria-label={t('products.services.commandName')}
            value={command.name}
            readOnly={readOnly}
            onChange={(e) => onChange({ ...command, name: e.currentTarget.value })}
            error={nameIssues.find((i) => i.severity === 'error')?.message}
          />
          {command.description !== undefined && (
            <Text size="xs" c="dimmed">
              {command.description}
            </Text>
          )}
        </Group>
        {!readOnly && (
          <ActionIcon variant="subtle" color="red" aria-label={t('products.common.remove')} onClick={onRemove}>
            <IconTrash size={14} />
          </ActionIcon>
        )}
      </Group>
      <Text size="xs" fw={600} c="dimmed" mt={4}>
        {t('products.services.paras')}
      </Text>
      <FieldTable
        fields={command.paras}
        onChange={(paras) => onChange({ ...command, paras })}
        withMethod={false}
        readOnly={readOnly}
        issuesAt={(i) => draft.issuesUnder(`${at}.paras[${i}]`)}
        label={t('products.services.addPara')}
        testId={`paras-${command.name}`}
      />
      {command.responses.map((response, r) => (
        <Stack key={r} gap={2} mt="xs">
          <Group gap="xs">
            <Text size="xs" fw={600} c="dimmed">
              {t('products.services.response')}
            </Text>
            <TextInput
              size="xs"
              w={300}
              ff="monospace"
              aria-label={t('products.services.responseName')}
              value={response.name}
              readOnly={readOnly}
              onChange={(e) =>
                onChange({
                  ...command,
                  responses: command.responses.map((x, j) => (j === r ? { ...x, name: e.currentTarget.value } : x)),
                })
              }
            />
            {!readOnly && (
              <ActionIcon
                variant="subtle"
                color="red"
                size="sm"
                aria-label={t('products.common.remove')}
                onClick={() => onChange({ ...command, responses: command.responses.filter((_, j) => j !== r) })}
              >
                <IconTrash size={12} />
              </ActionIcon>
            )}
          </Group>
          <FieldTable
            fields={response.paras}
            onChange={(paras) =>
              onChange({ ...command, responses: command.responses.map((x, j) => (j === r ? { ...x, paras } : x)) })
            }
            withMethod={false}
            readOnly={readOnly}
            issuesAt={(i) => draft.issuesUnder(`${at}.responses[${r}].paras[${i}]`)}
            label={t('products.services.addResponsePara')}
            testId={`response-${command.name}-${r}`}
          />
        </Stack>
      ))}
      {!readOnly && (
        <Group>
          <Button
            size="xs"
            variant="subtle"
            leftSection={<IconPlus size={14} />}
            onClick={() =>
              onChange({ ...command, responses: [...command.responses, { name: `${command.name}_RSP`, paras: [] }] })
            }
          >
            {t('products.services.addResponse')}
          </Button>
        </Group>
      )}
    </Card>
  );
}

function ServiceCard({ service, index, draft }: { service: Service; index: number; draft: Draft }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const at = `services[${index}]`;
  const readOnly = draft.locked;
  const change = (next: Service) =>
    draft.setDraft((m) => ({ ...m, services: m.services.map((s, i) => (i === index ? next : s)) }));
  const headerIssues = [...draft.issuesUnder(`${at}.serviceId`), ...draft.issuesUnder(`${at}.serviceType`)];

  return (
    <Card withBorder padding="md" data-testid={`service-${service.serviceId}`}>
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Title order={3} size="h5">
            {service.serviceId}
          </Title>
          {service.serviceType !== service.serviceId && (
            <Text size="sm" c="dimmed" ff="monospace">
              {service.serviceType}
            </Text>
          )}
          <Badge variant="outline" size="sm">
            {service.option}
          </Badge>
        </Group>
        {!readOnly && (
          <Group gap={4}>
            <ActionIcon variant="subtle" aria-label={t('products.common.edit')} onClick={() => setEditing(true)}>
              <IconPencil size={16} />
            </ActionIcon>
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t('products.services.removeService')}
              onClick={() => draft.setDraft((m) => ({ ...m, services: m.services.filter((_, i) => i !== index) }))}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        )}
      </Group>
      {service.description !== undefined && (
        <Text size="sm" c="dimmed" mb="xs">
          {service.description}
        </Text>
      )}
      {headerIssues.map((issue) => (
        <Text key={issue.code + issue.path} size="xs" c={issue.severity === 'error' ? 'red' : 'yellow.8'}>
          {issue.message}
        </Text>
      ))}
      <Text size="sm" fw={600} mt="xs">
        {t('products.services.properties')}
      </Text>
      <FieldTable
        fields={service.properties}
        onChange={(properties) =>
          change({ ...service, properties: properties.map((p) => ({ ...p, method: p.method ?? 'RE' })) })
        }
        withMethod
        readOnly={readOnly}
        issuesAt={(i) => draft.issuesUnder(`${at}.properties[${i}]`)}
        label={t('products.services.addProperty')}
        testId={`properties-${service.serviceId}`}
      />
      <Text size="sm" fw={600} mt="md" mb={4}>
        {t('products.services.commands')}
      </Text>
      <Stack gap="xs">
        {service.commands.map((command, c) => (
          <CommandCard
            key={c}
            command={command}
            at={`${at}.commands[${c}]`}
            draft={draft}
            readOnly={readOnly}
            onChange={(next) => change({ ...service, commands: service.commands.map((x, j) => (j === c ? next : x)) })}
            onRemove={() => change({ ...service, commands: service.commands.filter((_, j) => j !== c) })}
          />
        ))}
      </Stack>
      {!readOnly && (
        <Group>
          <Button
            size="xs"
            variant="subtle"
            mt={4}
            leftSection={<IconPlus size={14} />}
            onClick={() =>
              change({ ...service, commands: [...service.commands, { name: 'NEW_COMMAND', paras: [], responses: [] }] })
            }
          >
            {t('products.services.addCommand')}
          </Button>
        </Group>
      )}
      {editing && (
        <ServiceModal
          initial={service}
          onClose={() => setEditing(false)}
          onSave={(value) => {
            change({ ...service, ...value });
            setEditing(false);
          }}
        />
      )}
    </Card>
  );
}

export function ServicesTab({ product }: ProductTabProps) {
  const { t } = useTranslation();
  const draft = useModelDraft(product);
  const [adding, setAdding] = useState(false);
  return (
    <Stack gap="md">
      <DraftSaveBar draft={draft} />
      {draft.draft.services.length === 0 && (
        <EmptyState title={t('products.services.none')}>{t('products.overview.passThrough')}</EmptyState>
      )}
      {draft.draft.services.map((service, i) => (
        <ServiceCard key={i} service={service} index={i} draft={draft} />
      ))}
      {!draft.locked && (
        <Group>
          <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
            {t('products.services.addService')}
          </Button>
        </Group>
      )}
      {adding && (
        <ServiceModal
          initial={{ serviceId: '', serviceType: '', option: 'Optional' }}
          onClose={() => setAdding(false)}
          onSave={(value) => {
            draft.setDraft((m) => ({ ...m, services: [...m.services, { ...value, properties: [], commands: [] }] }));
            setAdding(false);
          }}
        />
      )}
    </Stack>
  );
}
