// The frame list: a windowed list with fixed-height rows (only the visible rows are in the DOM), following the newest.
import { Box, Text } from '@mantine/core';
import { memo, useEffect, useLayoutEffect, useRef, useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { TrafficFrameSummary } from '../../../core/contract/index.js';
import { formatSeconds, formatTime, type TimeMode } from './timeFormat.js';

export const ROW_HEIGHT = 24;
const OVERSCAN = 10;

const protocolColours: Record<string, string> = {
  MQTT: 'var(--mantine-color-blue-light)',
  CoAP: 'var(--mantine-color-teal-light)',
  LwM2M: 'var(--mantine-color-lime-light)',
  PCP: 'var(--mantine-color-violet-light)',
};

const columns = [
  { key: 'no', width: 64 },
  { key: 'time', width: 128 },
  { key: 'delta', width: 84 },
  { key: 'dir', width: 44 },
  { key: 'peer', width: 150 },
  { key: 'device', width: 120 },
  { key: 'protocol', width: 72 },
  { key: 'summary', width: undefined },
  { key: 'length', width: 60 },
] as const;

const cellStyle = (width: number | undefined): CSSProperties => ({
  flex: width ? `0 0 ${width}px` : '1 1 auto',
  minWidth: 0,
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
  padding: '0 6px',
});

export interface FrameListProps {
  rows: TrafficFrameSummary[];
  selectedSeq: number | undefined;
  onSelect: (seq: number) => void;
  follow: boolean;
  onFollowChange: (follow: boolean) => void;
  timeMode: TimeMode;
}

export const FrameList = memo(function FrameList({
  rows,
  selectedSeq,
  onSelect,
  follow,
  onFollowChange,
  timeMode,
}: FrameListProps) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const autoScrolling = useRef(false);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!follow || !el) return;
    const bottom = rows.length * ROW_HEIGHT - el.clientHeight;
    if (bottom > 0 && Math.abs(el.scrollTop - bottom) > 1) {
      autoScrolling.current = true;
      el.scrollTop = bottom;
      setScrollTop(el.scrollTop);
    }
  }, [rows, follow]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const reference = rows[0]?.timeUs ?? 0;

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const index = rows.findIndex((r) => r.seq === selectedSeq);
    const next = rows[Math.min(rows.length - 1, Math.max(0, index + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (next) onSelect(next.seq);
  };

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1 }}>
      <Box
        role="row"
        style={{
          display: 'flex',
          height: ROW_HEIGHT,
          alignItems: 'center',
          borderBottom: '1px solid var(--mantine-color-default-border)',
        }}
        fz="xs"
        fw={600}
      >
        {columns.map((c) => (
          <div key={c.key} role="columnheader" style={cellStyle(c.width)}>
            {t(`traffic.columns.${c.key}`)}
          </div>
        ))}
      </Box>
      <div
        ref={scroller}
        role="grid"
        aria-label={t('traffic.listLabel')}
        aria-rowcount={rows.length}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="traffic-list"
        style={{ flex: 1, overflowY: 'auto', position: 'relative', minHeight: 0, outline: 'none' }}
        onScroll={(e) => {
          const el = e.currentTarget;
          setScrollTop(el.scrollTop);
          if (autoScrolling.current) {
            autoScrolling.current = false;
            return;
          }
          const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT;
          if (atBottom !== follow) onFollowChange(atBottom);
        }}
      >
        {rows.length === 0 ? (
          <Text c="dimmed" size="sm" p="md">
            {t('traffic.empty')}
          </Text>
        ) : (
          <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
            {rows.slice(first, last).map((r, i) => {
              const index = first + i;
              const previous = rows[index - 1];
              const selected = r.seq === selectedSeq;
              return (
                <div
                  key={r.seq}
                  role="row"
                  aria-rowindex={index + 1}
                  aria-selected={selected}
                  data-testid="traffic-row"
                  data-seq={r.seq}
                  data-protocol={r.protocol}
                  onClick={() => onSelect(r.seq)}
                  title={r.error}
                  style={{
                    position: 'absolute',
                    top: index * ROW_HEIGHT,
                    left: 0,
                    right: 0,
                    height: ROW_HEIGHT,
                    display: 'flex',
                    alignItems: 'center',
                    cursor: 'pointer',
                    fontSize: 'var(--mantine-font-size-xs)',
                    fontFamily: 'var(--mantine-font-family-monospace)',
                    background: selected
                      ? 'var(--mantine-primary-color-filled)'
                      : r.error
                        ? 'var(--mantine-color-red-light)'
                        : (protocolColours[r.protocol] ?? 'transparent'),
                    color: selected
                      ? 'var(--mantine-primary-color-contrast)'
                      : r.error
                        ? 'var(--mantine-color-red-light-color)'
                        : undefined,
                  }}
                >
                  <div role="gridcell" style={cellStyle(columns[0].width)}>
                    {r.seq}
                  </div>
                  <div role="gridcell" style={cellStyle(columns[1].width)}>
                    {formatTime(r.timeUs, timeMode, reference)}
                  </div>
                  <div role="gridcell" style={cellStyle(columns[2].width)}>
                    {previous ? formatSeconds(r.timeUs - previous.timeUs) : '0.000000'}
                  </div>
                  <div role="gridcell" style={cellStyle(columns[3].width)} aria-label={t(`traffic.dir.${r.direction}`)}>
                    {r.direction === 'in' ? '→' : '←'}
                  </div>
                  <div role="gridcell" style={cellStyle(columns[4].width)}>
                    {r.peer}
                  </div>
                  <div role="gridcell" style={cellStyle(columns[5].width)}>
                    {r.deviceId ?? ''}
                  </div>
                  <div role="gridcell" style={cellStyle(columns[6].width)}>
                    {r.protocol}
                  </div>
                  <div role="gridcell" style={cellStyle(columns[7].width)}>
                    {r.summary}
                  </div>
                  <div role="gridcell" style={{ ...cellStyle(columns[8].width), textAlign: 'right' }}>
                    {r.length}
                  </div>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </Box>
  );
});
