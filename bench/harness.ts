/**
 * Benchmark harness: each benchmark is a module exporting a `Benchmark`. `npm run bench` runs
 * them all (or those named: `npm run bench -- validate pattern`), prints their figures and
 * writes one JSON file per benchmark under `bench/results/`. Benchmarks are not timed tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'

export interface BenchContext {
  /** Print a line of figures (also goes to the terminal as the run goes). */
  log(line: string): void
  /** Set by `--quick`: smaller sizes, for checking that a benchmark runs at all. */
  quick: boolean
}

export interface Benchmark {
  name: string
  description: string
  run(ctx: BenchContext): Promise<Record<string, unknown>>
}

/** Rate per second of `count` operations that took `ms` milliseconds. */
export function ratePerSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000)
}

/** Times `fn`, returning milliseconds (high resolution). */
export async function timeIt(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** Median and p99 of latencies in milliseconds. */
export function percentiles(samples: number[]): { median: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return {
    median: Number(at(0.5).toFixed(3)),
    p99: Number(at(0.99).toFixed(3)),
    max: Number((sorted.at(-1) ?? 0).toFixed(3)),
  }
}

export async function runBenchmarks(all: Benchmark[], argv: string[]): Promise<void> {
  const quick = argv.includes('--quick')
  const names = argv.filter((a) => !a.startsWith('--'))
  const chosen = names.length ? all.filter((b) => names.includes(b.name)) : all
  const unknown = names.filter((n) => !all.some((b) => b.name === n))
  if (unknown.length) {
    console.error(
      `unknown benchmark(s): ${unknown.join(', ')}; known: ${all.map((b) => b.name).join(', ')}`,
    )
    process.exitCode = 2
    return
  }
  const dir = new URL('./results/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  for (const bench of chosen) {
    console.log(`\n== ${bench.name}: ${bench.description}`)
    const figures = await bench.run({ log: (line) => console.log(`  ${line}`), quick })
    const record = {
      benchmark: bench.name,
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      quick,
      figures,
    }
    writeFileSync(new URL(`${bench.name}.json`, dir), JSON.stringify(record, null, 2) + '\n')
    console.log(`  -> bench/results/${bench.name}.json`)
  }
}
