/**
 * Vitest global setup: starts one throw-away PostgreSQL cluster for the whole run and
 * provides its URL to tests as `inject('pgUrl')` (empty when PostgreSQL is unavailable).
 * With INTELMESH_REQUIRE_POSTGRES=1 (set by .ci/run) a missing PostgreSQL fails the run.
 */
import type { TestProject } from 'vitest/node'
import { postgresUnavailableReason, startPgCluster, type PgCluster } from './pg-cluster.js'

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string
    pgSkipReason: string
  }
}

let cluster: PgCluster | undefined

export async function setup(project: TestProject): Promise<void> {
  const required = process.env['INTELMESH_REQUIRE_POSTGRES'] === '1'
  const reason = postgresUnavailableReason()
  if (reason) {
    if (required) throw new Error(`INTELMESH_REQUIRE_POSTGRES=1 but ${reason}`)
    console.warn(`PostgreSQL tests are skipped: ${reason}`)
    project.provide('pgUrl', '')
    project.provide('pgSkipReason', reason)
    return
  }
  cluster = await startPgCluster()
  project.provide('pgUrl', cluster.url)
  project.provide('pgSkipReason', '')
}

export function teardown(): void {
  cluster?.stop()
}
