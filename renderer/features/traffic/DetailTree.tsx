// The layered detail tree: one section per protocol layer, fields with their values and meanings; a click selects the field's bytes.
import { Box, Text, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TrafficField, TrafficLayer } from '../../../core/contract/index.js';

interface DetailTreeProps {
  layers: TrafficLayer[];
  selectedId: string | undefined;
  onSelect: (id: string) => void;
}

function FieldRow({
  field,
  id,
  depth,
  selectedId,
  onSelect,
}: {
  field: TrafficField;
  id: string;
  depth: number;
  selectedId: string | undefined;
  onSelect: (id: string) => void;
}) {
  const selected = id === selectedId;
  return (
    <>
      <UnstyledButton
        onClick={() => onSelect(id)}
        data-testid="detail-field"
        data-field={field.key}
        data-selected={selected}
        aria-pressed={selected}
        style={{
          display: 'block',
          width: '100%',
          paddingLeft: 8 + depth * 16,
          paddingRight: 8,
          background: selected ? 'var(--mantine-primary-color-light)' : undefined,
          fontFamily: 'var(--mantine-font-family-monospace)',
          fontSize: 'var(--mantine-font-size-xs)',
          lineHeight: '20px',
          whiteSpace: 'nowrap',
          overflow: 'hidden',
          textOverflow: 'ellipsis',
        }}
      >
        {field.label}: <b>{field.value}</b>
        {field.meaning ? <Text span c="dimmed" size="xs">{` (${field.meaning})`}</Text> : null}
      </UnstyledButton>
      {field.children?.map((c, i) => (
        <FieldRow key={i} field={c} id={`${id}.${i}`} depth={depth + 1} selectedId={selectedId} onSelect={onSelect} />
      ))}
    </>
  );
}

export function DetailTree({ layers, selectedId, onSelect }: DetailTreeProps) {
  const { t } = useTranslation();
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
  return (
    <Box data-testid="detail-tree" aria-label={t('traffic.detailLabel')} role="tree">
      {layers.map((layer, li) => {
        const closed = collapsed[layer.id] ?? false;
        return (
          <Box key={li} role="treeitem" aria-expanded={!closed} mb={2}>
            <UnstyledButton
              onClick={() => setCollapsed((c) => ({ ...c, [layer.id]: !closed }))}
              style={{ display: 'flex', alignItems: 'center', gap: 4, width: '100%', padding: '2px 4px' }}
              data-testid="detail-layer"
              data-layer={layer.id}
            >
              {closed ? <IconChevronRight size={14} /> : <IconChevronDown size={14} />}
              <Text size="sm" fw={600}>
                {layer.title}
              </Text>
            </UnstyledButton>
            {!closed && layer.error ? (
              <Text size="xs" c="red" pl={24} data-testid="layer-error">
                {layer.error}
              </Text>
            ) : null}
            {!closed &&
              layer.fields.map((f, i) => (
                <FieldRow key={i} field={f} id={`${li}.${i}`} depth={1} selectedId={selectedId} onSelect={onSelect} />
              ))}
          </Box>
        );
      })}
    </Box>
  );
}
