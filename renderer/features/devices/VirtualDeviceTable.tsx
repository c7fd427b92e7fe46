// The device list as virtual rows over server pages: only the rows in view exist in the DOM and only their
// pages are fetched, so 100k devices scroll like 10 (the scrollbar spans the whole fleet; drag it anywhere).
import { Anchor, Box, Button, Checkbox, Skeleton, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Device } from '../../../core/contract/index.js';
import { EmptyState, ErrorState, LoadingState } from '../../ui/QueryStates.js';
import { DeviceStatusBadge } from './DeviceStatusBadge.js';
import { LIST_PAGE_SIZE, useDevicePages, type DeviceFilter } from './deviceQueries.js';
import { formatDateTime } from '../../app/i18n.js';

export const DEVICE_ROW_HEIGHT = 40;
const COLUMNS = 'minmax(160px, 1.3fr) minmax(120px, 1fr) 110px minmax(140px, 1fr) minmax(110px, 0.8fr) 90px 170px';
const SELECTABLE_COLUMNS = `28px ${COLUMNS}`;

const cellStyle = { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', minWidth: 0 } as const;

export interface VirtualDeviceTableProps {
  filter: DeviceFilter;
  /** productId → a readable product name. */
  productName: (productId: string) => string | undefined;
  /** gateway deviceId → a readable gateway name. */
  gatewayName?: (gatewayId: string) => string | undefined;
  onClearFilters: () => void;
  /** With a selection, each row gets a checkbox for the bulk actions. */
  selection?: { has(deviceId: string): boolean; toggle(deviceId: string, on: boolean): void };
}

/** Pages holding the rows `first`..`last`, always with page 0 (it carries the total). */
export function pagesForRows(first: number, last: number, pageSize: number): number[] {
  const pages = new Set<number>([0]);
  if (last >= first) for (let p = Math.floor(first / pageSize); p <= Math.floor(last / pageSize); p++) pages.add(p);
  return [...pages].sort((a, b) => a - b);
}

export function VirtualDeviceTable({
  filter,
  productName,
  gatewayName,
  onClearFilters,
  selection,
}: VirtualDeviceTableProps) {
  const columns = selection ? SELECTABLE_COLUMNS : COLUMNS;
  const { t } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const firstPage = useDevicePages(filter, [0])[0];
  const total = firstPage?.data?.total ?? 0;

  // The virtualizer's functions change as it scrolls; this component is deliberately not memoized.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => DEVICE_ROW_HEIGHT,
    overscan: 10,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const pages = pagesForRows(virtualRows[0]?.index ?? 0, virtualRows.at(-1)?.index ?? -1, LIST_PAGE_SIZE);
  const results = useDevicePages(filter, pages);
  const rowsByPage = new Map<number, readonly Device[]>();
  pages.forEach((p, i) => {
    const items = results[i]?.data?.items;
    if (items) rowsByPage.set(p, items);
  });

  const filterKey = JSON.stringify(filter);
  useEffect(() => {
    virtualizer.scrollToOffset(0);
  }, [filterKey, virtualizer]);

  if (!firstPage || firstPage.isPending) return <LoadingState />;
  if (firstPage.isError) return <ErrorState error={firstPage.error} onRetry={() => void firstPage.refetch()} />;
  if (total === 0) {
    const filtered = Boolean(filter.status || filter.productId || filter.search || filter.groupId || filter.tagId);
    return filtered ? (
      <EmptyState title={t('devices.empty.filteredTitle')}>
        <Button variant="subtle" size="xs" onClick={onClearFilters}>
          {t('devices.list.clearFilters')}
        </Button>
      </EmptyState>
    ) : (
      <EmptyState title={t('devices.empty.title')}>{t('devices.empty.hint')}</EmptyState>
    );
  }

  const header = [
    t('devices.fields.nodeId'),
    t('devices.fields.name'),
    t('devices.fields.status'),
    t('devices.fields.product'),
    t('gateways.list.column'),
    t('devices.fields.protocol'),
    t('devices.fields.lastSeen'),
  ];

  return (
    <Box role="table" aria-rowcount={total + 1} aria-label={t('devices.list.tableLabel')} data-testid="device-table">
      <Box
        role="row"
        aria-rowindex={1}
        style={{
          display: 'grid',
          gridTemplateColumns: columns,
          gap: 12,
          padding: '6px 12px',
          borderBottom: '1px solid var(--mantine-color-default-border)',
        }}
      >
        {selection && <span role="columnheader" aria-label={t('devices.list.selectColumn')} />}
        {header.map((h) => (
          <Text key={h} role="columnheader" size="sm" fw={600} style={cellStyle}>
            {h}
          </Text>
        ))}
      </Box>
      <Box
        ref={scrollRef}
        data-testid="device-scroll"
        style={{ height: 'max(320px, calc(100vh - 400px))', overflowY: 'auto', contain: 'strict' }}
      >
        <Box role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualRows.map((row) => {
            const device = rowsByPage.get(Math.floor(row.index / LIST_PAGE_SIZE))?.[row.index % LIST_PAGE_SIZE];
            return (
              <Box
                key={row.key}
                role="row"
                aria-rowindex={row.index + 2}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: DEVICE_ROW_HEIGHT,
                  transform: `translateY(${row.start}px)`,
                  display: 'grid',
                  gridTemplateColumns: columns,
                  gap: 12,
                  alignItems: 'center',
                  padding: '0 12px',
                  background: row.index % 2 ? 'var(--mantine-color-default-hover)' : undefined,
                }}
              >
                {selection && (
                  <Box role="cell">
                    {device && (
                      <Checkbox
                        size="xs"
                        aria-label={t('devices.list.select', { name: device.nodeId })}
                        checked={selection.has(device.deviceId)}
                        onChange={(e) => selection.toggle(device.deviceId, e.currentTarget.checked)}
                      />
                    )}
                  </Box>
                )}
                {device ? (
                  <DeviceCells device={device} productName={productName} gatewayName={gatewayName} />
                ) : (
                  <LoadingCells />
                )}
              </Box>
            );
          })}
        </Box>
      </Box>
      <Text size="sm" c="dimmed" mt="xs" data-testid="device-total">
        {t('devices.list.total', { count: total })}
      </Text>
    </Box>
  );
}

function DeviceCells({
  device: d,
  productName,
  gatewayName,
}: {
  device: Device;
  productName: (id: string) => string | undefined;
  gatewayName: ((id: string) => string | undefined) | undefined;
}) {
  const product = productName(d.productId);
  return (
    <>
      <Box role="cell" style={cellStyle}>
        <Anchor
          component={Link}
          to={`/devices/${encodeURIComponent(d.deviceId)}`}
          ff="monospace"
          size="sm"
          title={d.deviceId}
        >
          {d.nodeId}
        </Anchor>
      </Box>
      <Text role="cell" size="sm" style={cellStyle} title={d.name}>
        {d.name ?? ''}
      </Text>
      <Box role="cell">
        <DeviceStatusBadge status={d.status} />
      </Box>
      <Text role="cell" size="sm" style={cellStyle} title={d.productId}>
        {product ?? d.productId}
      </Text>
      <Box role="cell" style={cellStyle}>
        {d.gatewayId !== undefined && (
          <Anchor
            component={Link}
            to={`/devices/${encodeURIComponent(d.gatewayId)}?tab=gateway`}
            size="sm"
            title={d.gatewayId}
          >
            {gatewayName?.(d.gatewayId) ?? d.gatewayId}
          </Anchor>
        )}
      </Box>
      <Text role="cell" size="sm" style={cellStyle}>
        {d.protocolType}
      </Text>
      <Text role="cell" size="sm" style={cellStyle}>
        {d.lastSeenAt ? formatDateTime(d.lastSeenAt) : '–'}
      </Text>
    </>
  );
}

function LoadingCells() {
  return (
    <>
      {Array.from({ length: 7 }, (_, i) => (
        <Skeleton key={i} role="cell" height={12} radius="sm" />
      ))}
    </>
  );
}
