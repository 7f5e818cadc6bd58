// The geometry of the overview's bar charts (new members and donations per month), drawn as inline SVG on the server
// by src/components/ConsoleBarChart.astro: no chart library, no script. Pure numbers in, positions out, so the
// scale (a "nice" maximum and three gridlines) is tested without a browser.

export interface BarPoint { label: string; value: number }
export interface Bar { x: number; y: number; width: number; height: number; label: string; value: number }
export interface Gridline { y: number; value: number }
export interface BarChartGeometry { width: number; height: number; plot: { left: number; top: number; bottom: number }; bars: Bar[]; gridlines: Gridline[] }

const WIDTH = 420;
const HEIGHT = 200;
const LEFT = 50;
const TOP = 12;
const BOTTOM = 26;

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1), so gridlines fall on round numbers. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Bars for `points`, left to right, scaled to a round maximum, with gridlines at zero, half and the whole of it. */
export function barChart(points: readonly BarPoint[]): BarChartGeometry {
  const max = niceCeiling(Math.max(0, ...points.map((point) => point.value)));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT) / Math.max(1, points.length);
  const bars = points.map((point, index) => {
    const height = Math.round((Math.max(0, point.value) / max) * plotHeight * 10) / 10;
    return { x: Math.round((LEFT + index * slot + slot * 0.15) * 10) / 10, y: Math.round((HEIGHT - BOTTOM - height) * 10) / 10, width: Math.round(slot * 0.7 * 10) / 10, height, label: point.label, value: point.value };
  });
  const gridlines = [0, 0.5, 1].map((share) => ({ y: Math.round((HEIGHT - BOTTOM - share * plotHeight) * 10) / 10, value: max * share }));
  return { width: WIDTH, height: HEIGHT, plot: { left: LEFT, top: TOP, bottom: HEIGHT - BOTTOM }, bars, gridlines };
}
