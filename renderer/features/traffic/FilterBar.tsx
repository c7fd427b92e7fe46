// Display-filter input: checked by the core as you type, the error shown with a caret under its position; saved filters.
import { ActionIcon, Box, Button, Group, Menu, Popover, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconBookmark, IconFilter, IconTrash, IconX } from '@tabler/icons-react';
import { memo, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeleteSavedFilter, useFilterCheck, useSavedFilters, useSaveFilter } from './trafficQueries.js';

interface FilterBarProps {
  applied: string;
  onApply: (expression: string) => void;
}

export const FilterBar = memo(function FilterBar({ applied, onApply }: FilterBarProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(applied);
  const [debounced] = useDebouncedValue(text.trim(), 250);
  const check = useFilterCheck(debounced);
  const saved = useSavedFilters();
  const saveFilter = useSaveFilter();
  const deleteFilter = useDeleteSavedFilter();
  const [saveOpen, setSaveOpen] = useState(false);
  const [name, setName] = useState('');

  useEffect(() => setText(applied), [applied]);

  const error = debounced === text.trim() && check.data && !check.data.valid ? check.data.error : undefined;
  const apply = () => {
    if (!error) onApply(text.trim());
  };

  return (
    <Stack gap={2}>
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <TextInput
          style={{ flex: 1 }}
          leftSection={<IconFilter size={16} />}
          placeholder={t('traffic.filter.placeholder')}
          aria-label={t('traffic.filter.label')}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') apply();
            if (e.key === 'Escape') setText(applied);
          }}
          error={error !== undefined}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          rightSection={
            text ? (
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={t('traffic.filter.clear')}
                onClick={() => {
                  setText('');
                  onApply('');
                }}
              >
                <IconX size={14} />
              </ActionIcon>
            ) : null
          }
          data-testid="filter-input"
        />
        <Button onClick={apply} disabled={error !== undefined} variant={text.trim() !== applied ? 'filled' : 'light'}>
          {t('traffic.filter.apply')}
        </Button>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Tooltip label={t('traffic.filter.saved')}>
              <ActionIcon size="lg" variant="light" aria-label={t('traffic.filter.saved')}>
                <IconBookmark size={16} />
              </ActionIcon>
            </Tooltip>
          </Menu.Target>
          <Menu.Dropdown>
            {saved.data?.filters.length ? null : <Menu.Label>{t('traffic.filter.noneSaved')}</Menu.Label>}
            {saved.data?.filters.map((f) => (
              <Menu.Item
                key={f.id}
                onClick={() => {
                  setText(f.expression);
                  onApply(f.expression);
                }}
                rightSection={
                  <ActionIcon
                    size="xs"
                    variant="subtle"
                    color="red"
                    aria-label={t('traffic.filter.delete', { name: f.name })}
                    onClick={(e) => {
                      e.stopPropagation();
                      deleteFilter.mutate(f.id);
                    }}
                  >
                    <IconTrash size={12} />
                  </ActionIcon>
                }
              >
                <Text size="sm">{f.name}</Text>
                <Text size="xs" c="dimmed" ff="monospace">
                  {f.expression}
                </Text>
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
        <Popover opened={saveOpen} onChange={setSaveOpen} position="bottom-end" withinPortal trapFocus>
          <Popover.Target>
            <Button
              variant="subtle"
              disabled={!text.trim() || error !== undefined}
              onClick={() => setSaveOpen((o) => !o)}
            >
              {t('traffic.filter.save')}
            </Button>
          </Popover.Target>
          <Popover.Dropdown>
            <Group gap="xs">
              <TextInput
                size="xs"
                aria-label={t('traffic.filter.name')}
                placeholder={t('traffic.filter.name')}
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
              />
              <Button
                size="xs"
                disabled={!name.trim()}
                loading={saveFilter.isPending}
                onClick={() =>
                  saveFilter.mutate(
                    { name: name.trim(), expression: text.trim() },
                    {
                      onSuccess: () => {
                        setSaveOpen(false);
                        setName('');
                      },
                    },
                  )
                }
              >
                {t('traffic.filter.saveConfirm')}
              </Button>
            </Group>
          </Popover.Dropdown>
        </Popover>
      </Group>
      {error ? (
        <Box data-testid="filter-error" role="alert">
          <Text size="xs" c="red" ff="monospace" style={{ whiteSpace: 'pre' }}>
            {`${text.trim()}\n${' '.repeat(error.position)}^`}
          </Text>
          <Text size="xs" c="red">
            {t('traffic.filter.errorAt', { position: error.position + 1, message: error.message })}
          </Text>
        </Box>
      ) : null}
    </Stack>
  );
});
