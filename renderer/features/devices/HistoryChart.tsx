// One numeric property over time, drawn with uPlot (canvas: thousands of points stay smooth).
import { Box, useComputedColorScheme } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartSeries } from './historyRange.js';

const HEIGHT = 260;

export function HistoryChart({ series, label }: { series: ChartSeries; label: string }) {
  const { ref: sizeRef, width } = useElementSize();
  const target = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dark = useComputedColorScheme('light') === 'dark';
  const ready = width > 0;
  const latest = useRef({ series, width });
  useEffect(() => {
    latest.current = { series, width };
  });

  useEffect(() => {
    if (!target.current || !ready) return;
    const { series: initial, width: initialWidth } = latest.current;
    const axisColor = dark ? '#c1c2c5' : '#495057';
    const gridColor = dark ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.07)';
    const axis = { stroke: axisColor, grid: { stroke: gridColor }, ticks: { stroke: gridColor } };
    const chart = new uPlot(
      {
        width: initialWidth,
        height: HEIGHT,
        ms: 1,
        cursor: { drag: { x: true, y: false } },
        legend: { show: true },
        scales: { x: { time: true } },
        axes: [axis, { ...axis, size: 60 }],
        series: [
          {},
          {
            label,
            stroke: dark ? '#4dabf7' : '#1c7ed6',
            width: 2,
            points: { show: initial.times.length <= 120 },
          },
        ],
      },
      [initial.times, initial.values],
      target.current,
    );
    plot.current = chart;
    return () => {
      chart.destroy();
      plot.current = null;
    };
    // Rebuilt only when its look changes; new points and sizes go through setData and setSize below.
  }, [label, dark, ready]);

  useEffect(() => {
    plot.current?.setData([series.times, series.values]);
  }, [series]);

  useEffect(() => {
    if (width > 0) plot.current?.setSize({ width, height: HEIGHT });
  }, [width]);

  return (
    <Box ref={sizeRef} data-testid="history-chart" aria-label={label} role="img">
      <div ref={target} />
    </Box>
  );
}
