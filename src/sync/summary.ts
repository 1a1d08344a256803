import type { SyncReport } from './types.js'

/**
 * One line summing up a run, e.g. `peer b: pulled 120, pushed 40 (3 held back, 1 dangling
 * ref), 2 invalid received, tombstones 1/0 — ok in 1.2 s`. Never shows credentials.
 */
export function formatSyncSummary(report: SyncReport): string {
  if (report.skipped) return `peer ${report.peerName}: skipped (another run of it is in progress)`
  const heldBack = report.collections.reduce((sum, c) => sum + c.heldBack, 0)
  const failed = report.collections.reduce((sum, c) => sum + c.failed, 0)
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000
  const parts = [`pulled ${report.pulled}`, `pushed ${report.pushed}`]
  const extras: string[] = []
  if (heldBack > 0) extras.push(`${heldBack} held back`)
  if (failed > 0) extras.push(`${failed} refused by the peer`)
  if (report.danglingRefs > 0) {
    extras.push(`${report.danglingRefs} dangling ref${report.danglingRefs === 1 ? '' : 's'}`)
  }
  if (extras.length > 0) parts[1] = `${parts[1] ?? ''} (${extras.join(', ')})`
  if (report.invalid > 0) parts.push(`${report.invalid} invalid received`)
  const { pulled, pushed, failed: tombFailed } = report.tombstones
  if (pulled + pushed + tombFailed > 0) {
    parts.push(
      `tombstones ${pulled} in, ${pushed} out${tombFailed > 0 ? `, ${tombFailed} refused` : ''}`,
    )
  }
  const outcome = report.ok ? 'ok' : `FAILED: ${report.errors.join('; ')}`
  return `peer ${report.peerName}: ${parts.join(', ')} - ${outcome} in ${Number.isFinite(seconds) ? seconds.toFixed(1) : '?'} s`
}
