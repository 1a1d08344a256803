/**
 * Runs the CLI from source (`node --import tsx src/cli/entry.ts ...`), as `bin/intelmesh.js`
 * does from the build: the process-level tests use it so they need no build step.
 */
import { main } from './main.js'

process.exitCode = await main(process.argv)
