/**
 * Charts of result tables as Vega-Lite v5 specs (builders), and headless SVG rendering.
 * Sits on top of experiment/; nothing below imports it.
 */
export {
  lineChart, throughputChart, pctChangeChart, barChart, lockSitesChart, lockTimelineChart,
  VEGA_LITE_SCHEMA, LOCK_METRICS, TIMELINE_STATES,
  type VegaLiteSpec, type ChartOptions, type LineChartOptions, type ThroughputChartOptions, type PctChangeChartOptions,
  type BarChartOptions, type LockSitesChartOptions, type LockTimelineChartOptions, type LockMetric,
} from './charts';
export { ChartError, tableRows, requireFields, type ChartRow, type TableLike } from './table';
export { renderSvg, compileVegaLite, countSvgMarks } from './render';
