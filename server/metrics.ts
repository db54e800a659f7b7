/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format (version 0.0.4) that `GET /metrics` serves.
 *
 * @module
 */

/** The content type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Readonly<Record<string, string>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabel(value)}"`);
  if (extra !== undefined) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function formatValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return Number.isNaN(value) ? "NaN" : String(value);
}

function keyOf(labels: Labels): string {
  let key = "";
  for (const name in labels) key += `${name}\u0000${labels[name]}\u0001`;
  return key;
}

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  render(): string[];
}

/** A value per label set that only goes up. */
export class Counter implements Metric {
  readonly type = "counter";
  readonly #values = new Map<string, { labels: Labels; value: number }>();

  /**
   * @param name The metric name, e.g. `kstone_rpc_requests_total`.
   * @param help One line of help.
   */
  constructor(readonly name: string, readonly help: string) {}

  /** Adds `by` (default 1) to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const entry = this.#values.get(key);
    if (entry === undefined) this.#values.set(key, { labels, value: by });
    else entry.value += by;
  }

  /** Sets a series from a monotonic source read at scrape time (e.g. the store's flushes). */
  set(value: number, labels: Labels = {}): void {
    this.#values.set(keyOf(labels), { labels, value });
  }

  /** The value of one series (0 when never incremented). */
  get(labels: Labels = {}): number {
    return this.#values.get(keyOf(labels))?.value ?? 0;
  }

  /** The exposition lines. */
  render(): string[] {
    return [...this.#values.values()].map(({ labels, value }) =>
      `${this.name}${formatLabels(labels)} ${formatValue(value)}`
    );
  }
}

/** A value per label set that is set, typically at scrape time. */
export class Gauge implements Metric {
  readonly type = "gauge";
  #values = new Map<string, { labels: Labels; value: number }>();

  /**
   * @param name The metric name.
   * @param help One line of help.
   */
  constructor(readonly name: string, readonly help: string) {}

  /** Sets the series of `labels`. */
  set(value: number, labels: Labels = {}): void {
    this.#values.set(keyOf(labels), { labels, value });
  }

  /** Forgets every series (before a collector sets the current ones). */
  reset(): void {
    this.#values = new Map();
  }

  /** The value of one series, if set. */
  get(labels: Labels = {}): number | undefined {
    return this.#values.get(keyOf(labels))?.value;
  }

  /** The exposition lines. */
  render(): string[] {
    return [...this.#values.values()].map(({ labels, value }) =>
      `${this.name}${formatLabels(labels)} ${formatValue(value)}`
    );
  }
}

interface HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

/** Observations per label set, counted in cumulative buckets. */
export class Histogram implements Metric {
  readonly type = "histogram";
  readonly #series = new Map<string, HistogramSeries>();

  /**
   * @param name The metric name, e.g. `kstone_rpc_duration_seconds`.
   * @param help One line of help.
   * @param buckets Upper bounds, ascending; `+Inf` is implied.
   */
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}

  /** Records one observation. */
  observe(value: number, labels: Labels = {}): void {
    const key = keyOf(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]!) series.counts[i]!++;
    }
    series.sum += value;
    series.count++;
  }

  /** The number of observations of one series. */
  count(labels: Labels = {}): number {
    return this.#series.get(keyOf(labels))?.count ?? 0;
  }

  /** The exposition lines. */
  render(): string[] {
    const lines: string[] = [];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      this.buckets.forEach((bound, i) => {
        lines.push(
          `${this.name}_bucket${formatLabels(labels, ["le", formatValue(bound)])} ${counts[i]}`,
        );
      });
      lines.push(`${this.name}_bucket${formatLabels(labels, ["le", "+Inf"])} ${count}`);
      lines.push(`${this.name}_sum${formatLabels(labels)} ${formatValue(sum)}`);
      lines.push(`${this.name}_count${formatLabels(labels)} ${count}`);
    }
    return lines;
  }
}

/**
 * A set of metrics rendered together. Collectors run before each render to set gauges from
 * the current state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "./metrics.ts";
 * const registry = new Registry();
 * const requests = registry.counter("kstone_rpc_requests_total", "Requests.");
 * requests.inc({ method: "GetItem", status: "success" });
 * const text = await registry.render();
 * assert.match(text, /^kstone_rpc_requests_total\{method="GetItem",status="success"\} 1$/m);
 * ```
 */
export class Registry {
  readonly #metrics: Metric[] = [];
  readonly #collectors: (() => void | Promise<void>)[] = [];

  /** Adds a counter. */
  counter(name: string, help: string): Counter {
    return this.#add(new Counter(name, help));
  }

  /** Adds a gauge. */
  gauge(name: string, help: string): Gauge {
    return this.#add(new Gauge(name, help));
  }

  /** Adds a histogram. */
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, buckets));
  }

  /** Runs `collect` before every render. */
  collect(collect: () => void | Promise<void>): void {
    this.#collectors.push(collect);
  }

  /**
   * Renders every metric in the text format.
   *
   * @returns The exposition text, ending with a newline.
   */
  async render(): Promise<string> {
    for (const collect of this.#collectors) await collect();
    const lines: string[] = [];
    for (const metric of this.#metrics) {
      lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
      lines.push(...metric.render());
    }
    return lines.join("\n") + "\n";
  }

  #add<M extends Metric>(metric: M): M {
    if (this.#metrics.some((other) => other.name === metric.name)) {
      throw new TypeError(`Cannot register metric ${metric.name} twice`);
    }
    this.#metrics.push(metric);
    return metric;
  }
}
