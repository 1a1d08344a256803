/**
 * `npm run bench [-- name ...] [-- --quick]`: runs the project's benchmarks.
 * Each benchmark module is listed here once.
 */
import { runBenchmarks, type Benchmark } from './harness.js'
import { patternBenchmark } from './pattern.bench.js'
import { sharingBenchmark } from './sharing.bench.js'
import { storeBenchmark } from './store.bench.js'
import { syncBenchmark } from './sync.bench.js'
import { taxiiBenchmark } from './taxii.bench.js'
import { validateBenchmark } from './validate.bench.js'

const benchmarks: Benchmark[] = [
  validateBenchmark,
  patternBenchmark,
  storeBenchmark,
  taxiiBenchmark,
  sharingBenchmark,
  syncBenchmark,
]

await runBenchmarks(benchmarks, process.argv.slice(2))
