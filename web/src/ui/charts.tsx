/**
 * Bar charts drawn as SVG by React: no chart library, and nothing inline for the CSP to refuse (colours
 * come from classes in styles.css). A screen reader meets each chart as one image named by its title,
 * followed by a table of the same figures that only screen readers are shown.
 */
import { useLayoutEffect, useRef, useState } from 'react';
import { formatNumber } from './format';

export interface ChartSeries {
  label: string;
  /** The class that colours it: `series-0` to `series-10` (styles.css). */
  className: string;
}

export interface ChartBar {
  label: string;
  /** What is written under the bar; the label when not given. */
  axisLabel?: string;
  /** One value per series, stacked from the bottom in series order. */
  values: number[];
}

/** The width drawn at before the chart's room is known. */
const DEFAULT_WIDTH = 800;
const TOP = 12;
const LEFT = 48;
const RIGHT = 8;
const AXIS = 24;
/** Room each label under the bars needs; where there is less, labels are skipped evenly. */
const LABEL_WIDTH = 56;

/**
 * The width of the element, followed as it changes: charts are drawn at the size they are shown, so
 * that their text is the page's size at any width.
 */
function useWidth<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useLayoutEffect(() => {
    const element = ref.current;
    if (element === null) return;
    const measure = () => setWidth(Math.max(200, Math.floor(element.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

export function BarChart({
  title,
  summary,
  categoryHeader,
  bars,
  series,
  legend = series.length > 1,
  height = 220,
}: {
  title: string;
  /** The chart's gist, read with the title: `1,204 messages in all`. */
  summary?: string;
  /** The heading of the figures table's first column (`Day`). */
  categoryHeader: string;
  bars: readonly ChartBar[];
  series: readonly ChartSeries[];
  /** Whether the series are named under the chart; by default when there are several. */
  legend?: boolean;
  height?: number;
}) {
  const { ref, width } = useWidth<HTMLElement>();
  const plotHeight = height - TOP - AXIS;
  const plotWidth = width - LEFT - RIGHT;
  const band = plotWidth / Math.max(1, bars.length);
  const barWidth = Math.min(48, Math.max(1, band * 0.7));
  const totals = bars.map((bar) => bar.values.reduce((sum, v) => sum + v, 0));
  const { top, step } = scale(Math.max(0, ...totals));
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const labelEvery = Math.ceil(bars.length / Math.max(1, Math.floor(plotWidth / LABEL_WIDTH)));
  const stacked = series.length > 1;

  return (
    <figure className="chart" ref={ref}>
      <svg
        className="chart-svg"
        role="img"
        aria-label={summary === undefined ? title : `${title}: ${summary}`}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
      >
        {ticks.map((tick) => (
          <g key={tick}>
            <line className="chart-grid" x1={LEFT} x2={width - RIGHT} y1={y(tick)} y2={y(tick)} />
            <text className="chart-tick" x={LEFT - 6} y={y(tick)} textAnchor="end" dominantBaseline="middle">
              {formatNumber(tick)}
            </text>
          </g>
        ))}
        {bars.map((bar, i) => {
          const x = LEFT + i * band + (band - barWidth) / 2;
          const bottoms = bar.values.map((_, s) => bar.values.slice(0, s).reduce((sum, v) => sum + v, 0));
          return (
            <g key={bar.label}>
              {bar.values.map((value, s) =>
                value <= 0 ? null : (
                  <rect
                    key={series[s]?.label ?? s}
                    className={series[s]?.className}
                    x={x}
                    width={barWidth}
                    y={y(bottoms[s]! + value)}
                    height={y(bottoms[s]!) - y(bottoms[s]! + value)}
                  >
                    <title>
                      {bar.label}: {stacked ? `${series[s]?.label} ` : ''}
                      {formatNumber(value)}
                    </title>
                  </rect>
                ),
              )}
              {i % labelEvery === 0 && (
                <text className="chart-label" x={x + barWidth / 2} y={height - 6} textAnchor="middle">
                  {bar.axisLabel ?? bar.label}
                </text>
              )}
            </g>
          );
        })}
        <line className="chart-axis" x1={LEFT} x2={width - RIGHT} y1={y(0)} y2={y(0)} />
      </svg>
      {legend && (
        <ul className="legend" aria-hidden="true">
          {series.map((s) => (
            <li key={s.label}>
              <span className={`swatch ${s.className}`} />
              {s.label}
            </li>
          ))}
        </ul>
      )}
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{categoryHeader}</th>
            {series.map((s) => (
              <th key={s.label} scope="col">
                {s.label}
              </th>
            ))}
            {stacked && <th scope="col">Total</th>}
          </tr>
        </thead>
        <tbody>
          {bars.map((bar, i) => (
            <tr key={bar.label}>
              <th scope="row">{bar.label}</th>
              {series.map((s, j) => (
                <td key={s.label}>{formatNumber(bar.values[j] ?? 0)}</td>
              ))}
              {stacked && <td>{formatNumber(totals[i]!)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** A round top for the value axis and a step of 1, 2 or 5 × 10ⁿ between four or so lines. */
function scale(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power);
  return { top: Math.ceil(max / step) * step, step };
}
