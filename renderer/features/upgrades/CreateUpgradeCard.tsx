// The "new upgrade task" form: a package from the library, its targets (every device of the package's product, a
// group, a tag, or listed device ids), the policy (start now / at a time / when each device is next online, retries,
// step timeout, rollout rate, abort threshold) and app confirm.
import {
  Alert,
  Button,
  Card,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiRoutes, type OtaTask, type StoredPackage } from '../../../core/contract/index.js';
import { useApi } from '../../api/ApiProvider.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { useGroupTree, useTags } from '../groups/groupQueries.js';
import { flattenTree } from '../groups/groupTree.js';
import { usePackageList } from '../packages/packageQueries.js';
import { useUpgradeActions } from './upgradeQueries.js';

type TargetMode = 'product' | 'group' | 'tag' | 'list';
type ExecuteType = 'now' | 'custom' | 'device_online';

/** Every device of the package's product, read page by page (a task holds at most 10,000). */
async function devicesOfProduct(callApi: ReturnType<typeof useApi>['callApi'], pkg: StoredPackage) {
  const products = await callApi(apiRoutes.listProducts, { query: { limit: 200 } });
  const product = products.items.find(
    (p) => p.model === pkg.model && p.manufacturerName === pkg.manufacturerName && p.deviceType === pkg.deviceType,
  );
  if (!product) return [];
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await callApi(apiRoutes.listDevices, {
      query: { productId: product.id, limit: 500, ...(cursor ? { cursor } : {}) },
    });
    ids.push(...page.items.map((d) => d.deviceId));
    cursor = page.nextCursor;
  } while (cursor && ids.length < 10_000);
  return ids;
}

export function CreateUpgradeCard({ onCreated }: { onCreated: (task: OtaTask) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const packages = usePackageList();
  const { create } = useUpgradeActions();
  const [packageId, setPackageId] = useState<string | null>(null);
  const [mode, setMode] = useState<TargetMode>('product');
  const [deviceList, setDeviceList] = useState('');
  const [executeType, setExecuteType] = useState<ExecuteType>('now');
  const [startTime, setStartTime] = useState('');
  const [retryTimes, setRetryTimes] = useState<number>(0);
  const [retryIntervalS, setRetryIntervalS] = useState<number>(120);
  const [stepTimeoutS, setStepTimeoutS] = useState<number>(300);
  const [ratePerMinute, setRatePerMinute] = useState<number>(0);
  const [abortPercent, setAbortPercent] = useState<number | ''>('');
  const [abortAfter, setAbortAfter] = useState<number>(20);
  const [groupId, setGroupId] = useState<string | null>(null);
  const [tagId, setTagId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [appConfirm, setAppConfirm] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [resolving, setResolving] = useState(false);
  const groups = useGroupTree();
  const tags = useTags();
  const pkg = packages.data?.packages.find((p) => p.id === packageId);

  const targetIds = async (chosen: StoredPackage): Promise<string[] | undefined> => {
    if (mode === 'product') return devicesOfProduct(api.callApi, chosen);
    if (mode === 'list')
      return deviceList
        .split(/[\s,;]+/)
        .map((x) => x.trim())
        .filter(Boolean);
    const id = mode === 'group' ? groupId : tagId;
    if (!id) return undefined;
    const body = mode === 'group' ? { kind: 'group' as const, groupId: id } : { kind: 'tag' as const, tagId: id };
    return (await api.callApi(apiRoutes.resolveBatchTarget, { query: {}, body })).deviceIds;
  };

  const submit = async () => {
    setProblem(undefined);
    if (!pkg) return setProblem(t('upgrades.create.pickPackageFirst'));
    try {
      setResolving(true);
      const deviceIds = await targetIds(pkg).finally(() => setResolving(false));
      if (deviceIds === undefined) return setProblem(t(`upgrades.create.pick.${mode === 'group' ? 'group' : 'tag'}`));
      if (deviceIds.length === 0) return setProblem(t('upgrades.create.noDevices'));
      const task = await create.mutateAsync({
        packageId: pkg.id,
        deviceIds,
        appConfirm: pkg.kind === 'software' && appConfirm,
        ...(name.trim() ? { name: name.trim() } : {}),
        policy: {
          executeType,
          ...(executeType === 'custom' && startTime ? { startTime: new Date(startTime).toISOString() } : {}),
          retryTimes,
          retryIntervalS,
          stepTimeoutS,
          ratePerMinute,
          ...(abortPercent !== '' ? { abortPercent, abortAfter } : {}),
        },
      });
      onCreated(task);
    } catch (error) {
      const d = describeApiError(error);
      setProblem(`${d.title}${d.message ? `: ${d.message}` : ''}`);
    }
  };

  return (
    <Card withBorder data-testid="upgrade-create">
      <Stack gap="sm">
        <Title order={4}>{t('upgrades.create.title')}</Title>
        <Select
          label={t('upgrades.create.package')}
          placeholder={t('upgrades.create.pickPackage')}
          data={(packages.data?.packages ?? []).map((p) => ({
            value: p.id,
            label: `${p.name} · ${p.version} · ${t(`upgrades.kind.${p.kind}`)}`,
          }))}
          value={packageId}
          onChange={setPackageId}
          nothingFoundMessage={t('upgrades.create.noPackages')}
          data-testid="upgrade-package"
        />
        {pkg && (
          <Text size="xs" c="dimmed">
            {t('upgrades.create.packageFor', {
              model: pkg.model,
              manufacturer: pkg.manufacturerName,
              type: pkg.deviceType,
            })}
          </Text>
        )}
        <SegmentedControl
          value={mode}
          onChange={(v) => setMode(v)}
          data={[
            { value: 'product', label: t('upgrades.create.allOfProduct') },
            { value: 'group', label: t('upgrades.create.group') },
            { value: 'tag', label: t('upgrades.create.tag') },
            { value: 'list', label: t('upgrades.create.listed') },
          ]}
          data-testid="upgrade-target-mode"
        />
        {mode === 'group' && (
          <Select
            label={t('upgrades.create.group')}
            description={t('upgrades.create.groupHint')}
            placeholder={t('upgrades.create.pick.group')}
            data={flattenTree(groups.data?.roots ?? []).map((g) => ({ value: g.node.id, label: g.path.join(' / ') }))}
            value={groupId}
            onChange={setGroupId}
            searchable
            nothingFoundMessage={t('upgrades.create.noGroups')}
          />
        )}
        {mode === 'tag' && (
          <Select
            label={t('upgrades.create.tag')}
            placeholder={t('upgrades.create.pick.tag')}
            data={(tags.data?.tags ?? []).map((x) => ({
              value: x.id,
              label: `${x.key}${x.value ? `=${x.value}` : ''} (${x.deviceCount})`,
            }))}
            value={tagId}
            onChange={setTagId}
            searchable
            nothingFoundMessage={t('upgrades.create.noTags')}
          />
        )}
        {mode === 'list' && (
          <Textarea
            label={t('upgrades.create.deviceIds')}
            description={t('upgrades.create.deviceIdsHint')}
            autosize
            minRows={3}
            maxRows={8}
            value={deviceList}
            onChange={(e) => setDeviceList(e.currentTarget.value)}
            data-testid="upgrade-device-ids"
          />
        )}
        <Group grow align="flex-start">
          <Select
            label={t('upgrades.create.when')}
            data={(['now', 'custom', 'device_online'] as const).map((v) => ({
              value: v,
              label: t(`upgrades.policy.${v}`),
            }))}
            value={executeType}
            onChange={(v) => setExecuteType(v ?? 'now')}
            allowDeselect={false}
          />
          {executeType === 'custom' && (
            <TextInput
              type="datetime-local"
              label={t('upgrades.create.startTime')}
              value={startTime}
              onChange={(e) => setStartTime(e.currentTarget.value)}
            />
          )}
          <TextInput
            label={t('upgrades.create.name')}
            description={t('upgrades.create.nameHint')}
            maxLength={128}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
        </Group>
        <Group grow align="flex-start">
          <NumberInput
            label={t('upgrades.create.retryTimes')}
            min={0}
            max={10}
            value={retryTimes}
            onChange={(v) => setRetryTimes(typeof v === 'number' ? v : 0)}
          />
          <NumberInput
            label={t('upgrades.create.retryInterval')}
            min={1}
            max={86_400}
            disabled={retryTimes === 0}
            value={retryIntervalS}
            onChange={(v) => setRetryIntervalS(typeof v === 'number' ? v : 120)}
          />
          <NumberInput
            label={t('upgrades.create.stepTimeout')}
            description={t('upgrades.create.stepTimeoutHint')}
            min={5}
            max={86_400}
            value={stepTimeoutS}
            onChange={(v) => setStepTimeoutS(typeof v === 'number' ? v : 300)}
          />
        </Group>
        <Group grow align="flex-start">
          <NumberInput
            label={t('upgrades.create.rate')}
            description={t('upgrades.create.rateHint')}
            min={0}
            max={100_000}
            allowDecimal={false}
            value={ratePerMinute}
            onChange={(v) => setRatePerMinute(typeof v === 'number' ? v : 0)}
            data-testid="upgrade-rate"
          />
          <NumberInput
            label={t('upgrades.create.abortPercent')}
            description={t('upgrades.create.abortPercentHint')}
            placeholder={t('upgrades.create.never')}
            min={0}
            max={100}
            suffix=" %"
            value={abortPercent}
            onChange={(v) => setAbortPercent(typeof v === 'number' ? v : '')}
            data-testid="upgrade-abort-percent"
          />
          <NumberInput
            label={t('upgrades.create.abortAfter')}
            description={t('upgrades.create.abortAfterHint')}
            min={1}
            allowDecimal={false}
            disabled={abortPercent === ''}
            value={abortAfter}
            onChange={(v) => setAbortAfter(typeof v === 'number' ? v : 20)}
          />
        </Group>
        {pkg?.kind === 'software' && (
          <Switch
            label={t('upgrades.create.appConfirm')}
            description={t('upgrades.create.appConfirmHint')}
            checked={appConfirm}
            onChange={(e) => setAppConfirm(e.currentTarget.checked)}
            data-testid="upgrade-app-confirm"
          />
        )}
        {problem && (
          <Alert color="red" variant="light" role="alert" data-testid="upgrade-create-problem">
            {problem}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button
            onClick={() => void submit()}
            loading={create.isPending || resolving}
            data-testid="upgrade-create-submit"
          >
            {t('upgrades.create.submit')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
