/**
 * `npm run bench [-- name ...] [-- --quick]`: runs the project's benchmarks.
 * Each benchmark module is listed here once.
 */
import { runBenchmarks, type Benchmark } from './harness.js'
import { validateBenchmark } from './validate.bench.js'
import { taxiiBenchmark } from './taxii.bench.js'
import { patternBenchmark } from './pattern.bench.js'
import { storeBenchmark } from './store.bench.js'

const benchmarks: Benchmark[] = [taxiiBenchmark, validateBenchmark, patternBenchmark, storeBenchmark]

await runBenchmarks(benchmarks, process.argv.slice(2))
