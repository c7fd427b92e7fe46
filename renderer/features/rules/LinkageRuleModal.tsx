// Create or edit a linkage rule in a form that reads like the sentence it builds, with a preview of that sentence
// and "try against history" (which recorded reports would have fired it; nothing is executed).
import {
  Alert,
  Button,
  Checkbox,
  Chip,
  Divider,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { IconClock, IconPlus, IconTestPipe } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LinkageRule } from '../../../core/contract/index.js';
import { formatDateTime } from '../../app/i18n.js';
import { describeApiError } from '../../api/errorNotifications.js';
import { ActionRow } from './ActionRow.js';
import { ConditionRow } from './ConditionRow.js';
import {
  alarmWithTimer,
  bodyOf,
  draftOf,
  emptyCondition,
  emptyDraft,
  emptyTimer,
  hasTimer,
  newAction,
  type RuleDraft,
} from './ruleDraft.js';
import { useSaveLinkageRule, useTryLinkageRule } from './ruleQueries.js';
import { ruleSentence } from './ruleSentence.js';
import { useRuleNames } from './useRuleNames.js';

export interface LinkageRuleModalProps {
  /** The rule to edit; a new rule when absent. */
  rule?: LinkageRule;
  onClose: () => void;
}

/** The zones a window can be in, with the chosen one even if this browser does not list it. */
function timeZoneOptions(current: string): string[] {
  const zones = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);
  if (current) zones.add(current);
  return [...zones];
}

export function LinkageRuleModal({ rule, onClose }: LinkageRuleModalProps) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<RuleDraft>(() => (rule ? draftOf(rule) : emptyDraft()));
  const names = useRuleNames();
  const save = useSaveLinkageRule();
  const trial = useTryLinkageRule();
  const set = (patch: Partial<RuleDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const body = bodyOf(draft);
  const error = save.error ?? trial.error;
  const timerTaken = hasTimer(draft);
  const conflict = alarmWithTimer(draft);

  return (
    <Modal
      opened
      onClose={onClose}
      size={1100}
      title={rule ? t('rules.form.editTitle', { name: rule.name }) : t('rules.form.newTitle')}
    >
      <Stack>
        <TextInput
          label={t('rules.form.name')}
          required
          value={draft.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
        />
        <TextInput
          label={t('rules.form.description')}
          value={draft.description}
          onChange={(e) => set({ description: e.currentTarget.value })}
        />
        {draft.conditions.length > 1 && (
          <Group gap="xs">
            <Text size="sm">{t('rules.form.logicLabel')}</Text>
            <SegmentedControl
              size="xs"
              value={draft.logic}
              onChange={(v) => set({ logic: v === 'or' ? 'or' : 'and' })}
              data={[
                { value: 'and', label: t('rules.form.logic.and') },
                { value: 'or', label: t('rules.form.logic.or') },
              ]}
            />
          </Group>
        )}
        {draft.conditions.map((c, i) => (
          <ConditionRow
            key={i}
            index={i}
            value={c}
            options={names.options}
            productOfDevice={names.productOfDevice}
            timerTaken={timerTaken}
            onChange={(next) => set({ conditions: draft.conditions.map((x, j) => (j === i ? next : x)) })}
            {...(draft.conditions.length > 1
              ? { onRemove: () => set({ conditions: draft.conditions.filter((_, j) => j !== i) }) }
              : {})}
          />
        ))}
        <Group>
          <Button
            variant="subtle"
            size="xs"
            leftSection={<IconPlus size={14} />}
            onClick={() => set({ conditions: [...draft.conditions, emptyCondition()] })}
            disabled={draft.conditions.length >= 10}
          >
            {t('rules.form.addCondition')}
          </Button>
          <Button
            variant="subtle"
            size="xs"
            leftSection={<IconClock size={14} />}
            onClick={() => set({ conditions: [...draft.conditions, emptyTimer()] })}
            disabled={draft.conditions.length >= 10 || timerTaken}
          >
            {t('rules.form.addTimer')}
          </Button>
        </Group>
        <Divider />
        {draft.actions.map((a, i) => (
          <ActionRow
            key={i}
            index={i}
            value={a}
            devices={names.options.device}
            alarmBlocked={timerTaken}
            onChange={(next) => set({ actions: draft.actions.map((x, j) => (j === i ? next : x)) })}
            {...(draft.actions.length > 1
              ? { onRemove: () => set({ actions: draft.actions.filter((_, j) => j !== i) }) }
              : {})}
          />
        ))}
        <Group>
          <Button
            variant="subtle"
            size="xs"
            leftSection={<IconPlus size={14} />}
            onClick={() => set({ actions: [...draft.actions, newAction('notify')] })}
            disabled={draft.actions.length >= 10}
          >
            {t('rules.form.addAction')}
          </Button>
        </Group>
        {conflict && (
          <Alert color="red" variant="light" title={t('rules.form.alarmTimerTitle')} data-testid="alarm-timer-conflict">
            {t('rules.form.alarmTimerReason')}
          </Alert>
        )}
        <Divider />
        <Switch
          label={t('rules.form.windowOn')}
          checked={draft.windowOn}
          onChange={(e) => set({ windowOn: e.currentTarget.checked })}
        />
        {draft.windowOn && (
          <Group gap="xs" align="flex-end">
            <TextInput
              label={t('rules.form.from')}
              type="time"
              w={120}
              value={draft.startTime}
              onChange={(e) => set({ startTime: e.currentTarget.value })}
            />
            <TextInput
              label={t('rules.form.to')}
              type="time"
              w={120}
              value={draft.endTime}
              onChange={(e) => set({ endTime: e.currentTarget.value })}
            />
            <Select
              label={t('rules.form.timezone')}
              searchable
              allowDeselect={false}
              w={220}
              data={timeZoneOptions(draft.timezone)}
              value={draft.timezone}
              onChange={(z) => set({ timezone: z ?? draft.timezone })}
            />
            <Chip.Group
              multiple
              value={draft.daysOfWeek.map(String)}
              onChange={(v) => set({ daysOfWeek: v.map(Number).sort((a, b) => a - b) })}
            >
              <Group gap={4} pb={6}>
                {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                  <Chip key={d} value={String(d)} size="xs">
                    {t(`rules.days.${d}`)}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
          </Group>
        )}
        <Checkbox
          label={t('rules.form.matchNow')}
          checked={draft.matchNow}
          onChange={(e) => set({ matchNow: e.currentTarget.checked })}
        />
        <Alert variant="light" color="blue" title={t('rules.form.reads')} data-testid="rule-sentence">
          {body.conditions.length > 0 && body.actions.length > 0
            ? ruleSentence(t, body, names.nameOf)
            : t('rules.form.incomplete')}
        </Alert>
        {trial.data && (
          <Alert variant="light" color={trial.data.hits.length > 0 ? 'orange' : 'gray'} data-testid="rule-trial">
            <Text size="sm">
              {trial.data.reportsRead === 0
                ? t('rules.form.trialNoHistory')
                : trial.data.hits.length === 0
                  ? t('rules.form.trialMiss', { reports: trial.data.reportsRead })
                  : t('rules.form.trialResult', { count: trial.data.hits.length, reports: trial.data.reportsRead })}
            </Text>
            {body.conditions.some((c) => c.kind === 'timer') && (
              <Text size="xs" c="dimmed" data-testid="rule-trial-timer-note">
                {t('rules.form.trialTimerNote')}
              </Text>
            )}
            {trial.data.hits.slice(0, 5).map((h) => (
              <Text size="xs" key={`${h.at}-${h.deviceId}`}>
                {formatDateTime(h.at)} · {names.nameOf('device', h.deviceId)}
              </Text>
            ))}
          </Alert>
        )}
        {error && (
          <Alert color="red" variant="light" title={describeApiError(error).title} role="alert">
            {describeApiError(error).message}
          </Alert>
        )}
        <Group justify="space-between">
          <Button
            variant="default"
            leftSection={<IconTestPipe size={14} />}
            loading={trial.isPending}
            onClick={() => {
              save.reset();
              trial.mutate(body);
            }}
          >
            {t('rules.form.try')}
          </Button>
          <Group gap="xs">
            <Button variant="default" onClick={onClose}>
              {t('rules.cancel')}
            </Button>
            <Button
              loading={save.isPending}
              disabled={conflict}
              onClick={() => {
                trial.reset();
                save.mutate({ ...(rule ? { ruleId: rule.ruleId } : {}), body }, { onSuccess: onClose });
              }}
            >
              {rule ? t('rules.form.save') : t('rules.form.create')}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
