// The device's objects as registered, named from the object definitions: every instance with its resources,
// their units and operations, the last value read or notified, and read / write / execute / observe buttons.
import {
  Accordion,
  Badge,
  Button,
  Card,
  Group,
  Popover,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  lwm2mContentFormatNames,
  type Lwm2mContentFormatName,
  type Lwm2mObjectDefinition,
  type Lwm2mObservation,
  type Lwm2mOperationBody,
  type Lwm2mOperationResult,
  type Lwm2mRegistration,
  type Lwm2mResourceDefinition,
} from '../../../core/contract/index.js';
import { EmptyState } from '../../ui/QueryStates.js';
import { instancesOf, valueText, type ShownValue } from './objectTreeModel.js';

export interface ObjectTreeProps {
  registration: Lwm2mRegistration;
  definitions: readonly Lwm2mObjectDefinition[];
  observations: readonly Lwm2mObservation[];
  values: ReadonlyMap<string, ShownValue>;
  lastResult: Lwm2mOperationResult | undefined;
  busyPath: string | undefined;
  run: (body: Lwm2mOperationBody) => void;
}

function WriteButton({
  path,
  disabled,
  onWrite,
}: {
  path: string;
  disabled: boolean;
  onWrite: (value: string) => void;
}) {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  const [value, setValue] = useState('');
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" withArrow trapFocus>
      <Popover.Target>
        <Button size="compact-xs" variant="default" disabled={disabled} onClick={() => setOpened((o) => !o)}>
          {t('lwm2m.tree.write')}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onWrite(value);
            setOpened(false);
          }}
        >
          <Group gap="xs" align="flex-end">
            <TextInput
              size="xs"
              label={t('lwm2m.tree.newValue', { path })}
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              data-autofocus
            />
            <Button size="xs" type="submit">
              {t('lwm2m.tree.write')}
            </Button>
          </Group>
        </form>
      </Popover.Dropdown>
    </Popover>
  );
}

function typedValue(resource: Lwm2mResourceDefinition | undefined, text: string): string | number | boolean {
  switch (resource?.type) {
    case 'integer':
    case 'unsigned':
    case 'float':
    case 'time': {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'boolean':
      return text === 'true' || text === '1';
    default:
      return text;
  }
}

function ResourceRows({
  objectId,
  instanceId,
  definition,
  props,
  accept,
}: {
  objectId: number;
  instanceId: number;
  definition: Lwm2mObjectDefinition | undefined;
  props: ObjectTreeProps;
  accept: Lwm2mContentFormatName | undefined;
}) {
  const { t } = useTranslation();
  const observed = new Set(props.observations.map((o) => o.path));
  if (!definition) {
    return (
      <Text size="sm" c="dimmed">
        {t('lwm2m.tree.noDefinition', { id: objectId })}
      </Text>
    );
  }
  return (
    <Table striped highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={50}>{t('lwm2m.tree.id')}</Table.Th>
          <Table.Th>{t('lwm2m.tree.name')}</Table.Th>
          <Table.Th>{t('lwm2m.tree.value')}</Table.Th>
          <Table.Th w={70}>{t('lwm2m.tree.operations')}</Table.Th>
          <Table.Th w={230} />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {definition.resources.map((r) => {
          const path = `/${objectId}/${instanceId}/${r.id}`;
          const shown = valueText(props.values, path);
          const busy = props.busyPath === path;
          const isObserved = observed.has(path);
          return (
            <Table.Tr key={r.id} data-path={path}>
              <Table.Td ff="monospace">{r.id}</Table.Td>
              <Table.Td>
                <Text size="sm">{r.name}</Text>
                {r.units && (
                  <Text size="xs" c="dimmed">
                    {r.units}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }} data-testid={`value-${path}`}>
                {shown ? (
                  <>
                    {shown.text}
                    {r.units && shown.text !== '' ? ` ${r.units}` : ''}
                    {shown.source === 'notify' && (
                      <Badge size="xs" ml={6} variant="light" color="grape">
                        {t('lwm2m.tree.notified')}
                      </Badge>
                    )}
                  </>
                ) : (
                  <Text size="xs" c="dimmed" span>
                    –
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Group gap={2}>
                  {['R', 'W', 'E']
                    .filter((op) => r.operations.includes(op))
                    .map((op) => (
                      <Badge key={op} size="xs" variant="outline" color={op === 'E' ? 'orange' : 'gray'}>
                        {op}
                      </Badge>
                    ))}
                </Group>
              </Table.Td>
              <Table.Td>
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  {r.operations.includes('R') && (
                    <>
                      <Button
                        size="compact-xs"
                        variant="default"
                        loading={busy}
                        onClick={() => props.run({ op: 'read', path, ...(accept ? { accept } : {}) })}
                      >
                        {t('lwm2m.tree.read')}
                      </Button>
                      <Button
                        size="compact-xs"
                        variant={isObserved ? 'light' : 'default'}
                        color={isObserved ? 'grape' : undefined}
                        onClick={() =>
                          props.run(
                            isObserved
                              ? { op: 'cancel-observe', path }
                              : { op: 'observe', path, ...(accept ? { accept } : {}) },
                          )
                        }
                      >
                        {isObserved ? t('lwm2m.tree.cancelObserve') : t('lwm2m.tree.observe')}
                      </Button>
                    </>
                  )}
                  {r.operations.includes('W') && (
                    <WriteButton
                      path={path}
                      disabled={busy}
                      onWrite={(text) =>
                        props.run({ op: 'write', path, values: [{ path, value: typedValue(r, text) }] })
                      }
                    />
                  )}
                  {r.operations.includes('E') && (
                    <Button
                      size="compact-xs"
                      variant="light"
                      color="orange"
                      loading={busy}
                      onClick={() => props.run({ op: 'execute', path })}
                    >
                      {t('lwm2m.tree.execute')}
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

export function ObjectTree(props: ObjectTreeProps) {
  const { t } = useTranslation();
  const [accept, setAccept] = useState<Lwm2mContentFormatName | undefined>(undefined);
  const definitions = new Map(props.definitions.map((d) => [d.id, d]));
  const instances = instancesOf(props.registration);
  const result = props.lastResult;
  return (
    <Card withBorder padding="md" data-testid="lwm2m-object-tree">
      <Group justify="space-between" mb="sm" align="flex-end">
        <div>
          <Title order={3} size="h5">
            {t('lwm2m.tree.title')}
          </Title>
          <Text size="xs" c="dimmed">
            {t('lwm2m.tree.hint')}
          </Text>
        </div>
        <Select
          size="xs"
          w={190}
          label={t('lwm2m.tree.contentFormat')}
          data={[
            { value: 'auto', label: t('lwm2m.tree.formatAuto') },
            ...lwm2mContentFormatNames.filter((n) => n !== 'link').map((n) => ({ value: n, label: n })),
          ]}
          value={accept ?? 'auto'}
          onChange={(v) => setAccept(v && v !== 'auto' ? v : undefined)}
          allowDeselect={false}
        />
      </Group>
      {result && (
        <Text size="xs" mb="xs" c={result.ok ? 'teal' : 'red'} data-testid="lwm2m-last-result">
          {t('lwm2m.tree.lastResult', {
            op: result.op,
            path: result.path,
            code: `${result.code} ${result.codeName}`,
            format: result.contentFormatName ?? '–',
            ms: Math.round(result.durationMs),
          })}
          {result.decodeError ? ` — ${result.decodeError}` : ''}
        </Text>
      )}
      {instances.length === 0 ? (
        <EmptyState title={t('lwm2m.tree.empty')} />
      ) : (
        <Accordion
          multiple
          variant="separated"
          defaultValue={instances.filter((i) => i.objectId === 3).map((i) => i.key)}
        >
          {instances.map(({ key, objectId, instanceId }) => {
            const definition = definitions.get(objectId);
            const path = instanceId === undefined ? `/${objectId}` : `/${objectId}/${instanceId}`;
            return (
              <Accordion.Item key={key} value={key}>
                <Accordion.Control>
                  <Group gap="xs">
                    <Text ff="monospace" fw={600}>
                      {path}
                    </Text>
                    <Text>{definition?.name ?? t('lwm2m.tree.unknownObject')}</Text>
                    {definition && (
                      <Text size="xs" c="dimmed">
                        {t('lwm2m.tree.resourceCount', { count: definition.resources.length })}
                      </Text>
                    )}
                  </Group>
                </Accordion.Control>
                <Accordion.Panel>
                  <Stack gap="xs">
                    <Group gap="xs">
                      <Button
                        size="compact-sm"
                        variant="light"
                        loading={props.busyPath === path}
                        onClick={() => props.run({ op: 'read', path, ...(accept ? { accept } : {}) })}
                      >
                        {t('lwm2m.tree.readAll', { path })}
                      </Button>
                      <Button size="compact-sm" variant="default" onClick={() => props.run({ op: 'discover', path })}>
                        {t('lwm2m.tree.discover')}
                      </Button>
                    </Group>
                    {instanceId === undefined ? (
                      <Text size="sm" c="dimmed">
                        {t('lwm2m.tree.noInstances')}
                      </Text>
                    ) : (
                      <ResourceRows
                        objectId={objectId}
                        instanceId={instanceId}
                        definition={definition}
                        props={props}
                        accept={accept}
                      />
                    )}
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
            );
          })}
        </Accordion>
      )}
    </Card>
  );
}
