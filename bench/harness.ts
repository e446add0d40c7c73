/**
 * The measuring part of `npm run bench`: each row is a subject measured
 * right beside its own baseline, in the same tinybench run (so load that
 * changes during the run moves both), and reported as a ratio of medians
 * with its spread.
 */
import { Bench } from 'tinybench';

/** What a row reports. */
export interface Row {
  /** Which figure of the performance issue's table, or another measured figure. */
  name: string;
  /** What the row's baseline is. */
  baseline: string;
  /** Latency rows: subject / baseline time (lower is better). Throughput rows: subject / baseline rate (higher is better). */
  ratio: number;
  /** Which of the two the ratio is. */
  kind?: 'latency' | 'throughput';
  /** Relative spread of the ratio, from both medians' absolute deviations. */
  spread: number;
  /** Median of the subject and of the baseline, with their unit. */
  subject: string;
  base: string;
  /** The goal, as text, and whether this run met it (`null`: no goal). */
  goal: string;
  met: boolean | null;
}

export interface PairOptions {
  /** Milliseconds per task (default 600). */
  time?: number;
  /** Runs several calls concurrently in each task ('task' concurrency) with this limit. */
  concurrency?: number;
}

export interface Measured {
  p50: number;
  mad: number;
}

function statsOf(bench: Bench, name: string): Measured {
  const task = bench.getTask(name);
  const result = task?.result as
    | { state?: string; latency?: { p50: number; mad: number }; error?: unknown }
    | undefined;
  if (!result || result.state === 'errored' || !result.latency) {
    throw new Error(
      `benchmark task "${name}" failed: ${String((result as { error?: unknown } | undefined)?.error ?? 'no result')}`,
    );
  }
  return { p50: result.latency.p50, mad: result.latency.mad };
}

/** Median latency (ms) and its absolute deviation of `fn`, by tinybench. */
export async function measure(fn: () => unknown, time = 600): Promise<Measured> {
  const bench = new Bench({ time, warmupTime: 150, iterations: 32 });
  bench.add('task', fn);
  await bench.run();
  return statsOf(bench, 'task');
}

/** Formats milliseconds as µs or ms. */
export function duration(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`;
}

/** Relative spread of a ratio of two medians. */
function ratioSpread(a: Measured, b: Measured): number {
  return Math.sqrt((a.mad / a.p50) ** 2 + (b.mad / b.p50) ** 2);
}

/**
 * Measures `subject` beside `baseline` in one tinybench run and returns the
 * ratio of their median latencies.
 */
export async function pair(
  name: string,
  baseline: { label: string; run: () => unknown },
  subject: () => unknown,
  goal: { text: string; max?: number } = { text: '' },
  options: PairOptions = {},
): Promise<Row> {
  const bench = new Bench({ time: options.time ?? 600, warmupTime: 150, iterations: 32 });
  bench.add('baseline', baseline.run).add('subject', subject);
  await bench.run();
  const base = statsOf(bench, 'baseline');
  const sub = statsOf(bench, 'subject');
  const ratio = sub.p50 / base.p50;
  return {
    name,
    baseline: baseline.label,
    ratio,
    spread: ratioSpread(sub, base),
    subject: duration(sub.p50),
    base: duration(base.p50),
    goal: goal.text,
    met: goal.max === undefined ? null : ratio <= goal.max,
  };
}

/** Median and median absolute deviation of a list of numbers. */
export function median(values: number[]): Measured {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (list: number[]) =>
    list.length % 2 ? list[(list.length - 1) / 2]! : (list[list.length / 2 - 1]! + list[list.length / 2]!) / 2;
  const p50 = mid(sorted);
  return { p50, mad: mid(sorted.map((v) => Math.abs(v - p50)).sort((a, b) => a - b)) };
}

/** Runs `fn` `runs` times (after one warm-up run) and returns the median of what it measures. */
export async function repeat(runs: number, fn: (run: number) => Promise<number>): Promise<Measured> {
  await fn(-1);
  const values: number[] = [];
  for (let run = 0; run < runs; run++) values.push(await fn(run));
  return median(values);
}

/**
 * Two measurements taken in turns (a, b, a, b, ...) after a warm-up of
 * each, so drift in the machine's load moves both alike.
 */
export async function interleaved(
  rounds: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<[Measured, Measured]> {
  await a();
  await b();
  const as: number[] = [];
  const bs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    as.push(await a());
    bs.push(await b());
  }
  return [median(as), median(bs)];
}

/** A row for two throughputs (items per second): the ratio is the subject's rate over the baseline's. */
export function throughputRow(
  name: string,
  baselineLabel: string,
  base: Measured,
  subject: Measured,
  goal: { text: string; minRatio?: number; minPerSecond?: number } = { text: '' },
): Row {
  const ratio = subject.p50 / base.p50;
  const metRatio = goal.minRatio === undefined || subject.p50 / base.p50 >= goal.minRatio;
  const metRate = goal.minPerSecond === undefined || subject.p50 >= goal.minPerSecond;
  return {
    name,
    kind: 'throughput',
    baseline: baselineLabel,
    ratio,
    spread: ratioSpread(subject, base),
    subject: `${Math.round(subject.p50).toLocaleString('en-US')}/s`,
    base: `${Math.round(base.p50).toLocaleString('en-US')}/s`,
    goal: goal.text,
    met: goal.minRatio === undefined && goal.minPerSecond === undefined ? null : metRatio && metRate,
  };
}

/** Seconds elapsed while `fn` runs. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}
