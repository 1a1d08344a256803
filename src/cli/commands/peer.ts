/**
 * `intelmesh peer add|update|list|status|remove|preview|key` (issue 6): the peer nodes this node
 * syncs with. Every command works on the node's database through `src/sync`, like the admin
 * commands; listings never print a peer's credentials, and the inbound key is shown once.
 */
import type { Command } from 'commander'
import { AppError } from '../../errors.js'
import { isTlpLevel } from '../../sharing/tlp.js'
import type { Store, TlpLevel } from '../../store/store.js'
import { microsToTimestamp } from '../../store/timestamps.js'
import {
  addPeer,
  createPeerKey,
  findPeer,
  listPeers,
  peerStatus,
  previewPeer,
  removePeer,
  summarisePeer,
  updatePeer,
  type NewPeer,
  type PeerAuth,
  type PeerChanges,
  type PeerDirection,
  type PeerFilter,
  type PeerStatus,
  type PeerSummary,
  type PreviewReport,
} from '../../sync/index.js'
import type { CliContext, CommandRegistrar } from '../context.js'
import {
  printJson,
  printTable,
  runAdmin,
  withAdminOptions,
  type AdminOptions,
} from './admin-support.js'

/** The environment variable `--auth` falls back to, so a secret need not be on the command line. */
export const PEER_AUTH_ENV = 'INTELMESH_PEER_AUTH'

interface PeerSettingsOptions extends AdminOptions {
  url?: string
  auth?: string
  direction?: string
  map?: string[]
  org?: string
  filterTypes?: string
  filterLabels?: string
  tlpCeiling?: string
  tombstones?: string
}

interface UpdateOptions extends PeerSettingsOptions {
  enable?: boolean
  disable?: boolean
}

function usage(detail: string): AppError {
  return new AppError('CLI_USAGE', { detail })
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** `basic:<user>:<password>` (the password may hold colons), `bearer:<token>` or `none`. */
export function parseAuth(spec: string): PeerAuth {
  if (spec === 'none') return { kind: 'none' }
  if (spec.startsWith('bearer:')) {
    const token = spec.slice('bearer:'.length)
    if (token === '') throw usage('--auth bearer:<token> needs a token')
    return { kind: 'bearer', token }
  }
  if (spec.startsWith('basic:')) {
    const rest = spec.slice('basic:'.length)
    const colon = rest.indexOf(':')
    if (colon <= 0) throw usage('--auth basic:<user>:<password> needs a user name and a password')
    return { kind: 'basic', username: rest.slice(0, colon), password: rest.slice(colon + 1) }
  }
  // Never echo the value: it may be a secret typed in the wrong shape.
  throw usage('--auth must be basic:<user>:<password>, bearer:<token> or none')
}

/** `local=remote`: a local collection (alias or id) and the peer's collection id. */
export function parseMap(spec: string): { local: string; remote: string } {
  const eq = spec.indexOf('=')
  const local = eq < 0 ? '' : spec.slice(0, eq).trim()
  const remote = eq < 0 ? '' : spec.slice(eq + 1).trim()
  if (local === '' || remote === '') {
    throw usage(
      `--map "${spec}" must be local=remote (a local collection alias or id = the peer's collection id)`,
    )
  }
  return { local, remote }
}

function parseDirection(value: string): PeerDirection {
  if (value === 'pull' || value === 'push' || value === 'both') return value
  throw usage(`--direction must be pull, push or both, got "${value}"`)
}

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

function parseOnOff(value: string, flag: string): boolean {
  if (/^(on|yes|true|1)$/i.test(value)) return true
  if (/^(off|no|false|0)$/i.test(value)) return false
  throw usage(`${flag} must be on or off, got "${value}"`)
}

function parseTlpCeiling(value: string): TlpLevel {
  const normal = value.trim().toLowerCase()
  const level = normal === 'white' ? 'clear' : normal
  if (!isTlpLevel(level)) {
    throw usage(`--tlp-ceiling must be clear, green, amber, amber+strict or red, got "${value}"`)
  }
  return level
}

/** The filter after applying the flags to `base`; an empty value clears that part. */
function filterFrom(options: PeerSettingsOptions, base: PeerFilter): PeerFilter {
  const filter: PeerFilter = { ...base }
  if (options.filterTypes !== undefined) {
    const types = parseList(options.filterTypes)
    if (types.length > 0) filter.types = types
    else delete filter.types
  }
  if (options.filterLabels !== undefined) {
    const labels = parseList(options.filterLabels)
    if (labels.length > 0) filter.labels = labels
    else delete filter.labels
  }
  if (options.tlpCeiling !== undefined) {
    if (options.tlpCeiling.trim() === '' || options.tlpCeiling === 'none') delete filter.tlpCeiling
    else filter.tlpCeiling = parseTlpCeiling(options.tlpCeiling)
  }
  return filter
}

/**
 * The credentials from `--auth`; `--auth env` (and, for `peer add`, no `--auth` at all) reads
 * them from the environment instead, keeping the secret off the command line.
 */
function authFrom(
  ctx: CliContext,
  options: PeerSettingsOptions,
  envWhenAbsent: boolean,
): PeerAuth | undefined {
  const fromEnv = options.auth === 'env' || (options.auth === undefined && envWhenAbsent)
  const spec = fromEnv ? ctx.env[PEER_AUTH_ENV] : options.auth
  if (options.auth === 'env' && (spec === undefined || spec === '')) {
    throw usage(`--auth env given but $${PEER_AUTH_ENV} is not set`)
  }
  return spec === undefined || spec === '' ? undefined : parseAuth(spec)
}

/** Adds the options `peer add` and `peer update` share. */
function withPeerSettings(command: Command): Command {
  return command
    .option(
      '--url <api-root-url>',
      "the peer's TAXII API root URL, e.g. https://peer.example/api1/",
    )
    .option(
      '--auth <spec>',
      `how to authenticate to the peer: basic:<user>:<password>, bearer:<token>, none, or env to read it from $${PEER_AUTH_ENV} (peer add reads that when --auth is absent)`,
    )
    .option('--direction <dir>', 'pull, push or both')
    .option(
      '--map <local=remote>',
      "a local collection (alias or id) = the peer's collection id; repeatable",
      collect,
    )
    .option('--filter-types <types>', 'only these STIX types move, comma separated ("" clears)')
    .option('--filter-labels <labels>', 'only objects with one of these labels move ("" clears)')
    .option('--tlp-ceiling <tlp>', 'the most restrictive TLP that moves, e.g. green (none clears)')
    .option(
      '--tombstones <on|off>',
      'send and apply deletions (tombstones) with this peer (peer add: on)',
    )
}

function directionText(direction: string): string {
  return direction === 'both' ? 'pull+push' : direction
}

function filterText(filter: PeerFilter): string {
  const parts: string[] = []
  if (filter.types) parts.push(`types=${filter.types.join(',')}`)
  if (filter.labels) parts.push(`labels=${filter.labels.join(',')}`)
  if (filter.tlpCeiling) parts.push(`tlp<=${filter.tlpCeiling}`)
  return parts.join(' ') || '(none)'
}

/** Names to show instead of ids: organisations and local collections. */
interface Names {
  org(id: string): string
  collection(id: string): string
}

async function namesOf(store: Store): Promise<Names> {
  const [orgs, collections] = await Promise.all([
    store.listOrganisations(),
    store.listCollections(),
  ])
  const orgNames = new Map(orgs.map((o) => [o.id, o.name]))
  const aliases = new Map(collections.map((c) => [c.id, c.alias]))
  return {
    org: (id) => orgNames.get(id) ?? id,
    collection: (id) => aliases.get(id) ?? id,
  }
}

/** A listing entry: the summary (never credentials) with names beside the ids. */
function listedPeer(peer: PeerSummary, names: Names): Record<string, unknown> {
  return {
    ...peer,
    orgName: names.org(peer.orgId),
    maps: peer.maps.map((m) => ({ ...m, localAlias: names.collection(m.localCollectionId) })),
  }
}

function mapsText(peer: PeerSummary, names: Names): string {
  return peer.maps
    .map((m) => `${names.collection(m.localCollectionId)}=${m.remoteCollectionId}`)
    .join(' ')
}

/** Microseconds of lag as a short human figure. */
export function lagText(micros: number | null): string {
  if (micros === null) return 'unknown (never run)'
  if (micros <= 0) return '0 s (caught up)'
  const seconds = micros / 1e6
  if (seconds < 120) return `${seconds.toFixed(1)} s`
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}

function statusLines(status: PeerStatus, names: Names, ctx: CliContext): void {
  const { peer } = status
  const out = (line: string): void => {
    ctx.stdout.write(`${line}\n`)
  }
  const lastFailed = status.errors.length > 0
  out(
    `peer ${peer.name} (${directionText(peer.direction)}, ${peer.enabled ? 'enabled' : 'disabled'}) ${peer.url}`,
  )
  out(`  organisation   ${names.org(peer.orgId)}`)
  out(
    `  last run       ${status.lastRunAt ?? 'never'}${status.lastRunAt ? (lastFailed ? ' (failed)' : ' (ok)') : ''}`,
  )
  out(`  last success   ${status.lastSuccessAt ?? 'never'}`)
  out(`  objects moved  ${status.movedLastRun} last run, ${status.movedTotal} in all`)
  out(`  lag            ${lagText(status.lagMicros)}`)
  out(`  invalid        ${status.invalidTotal} received and not stored`)
  out(`  dangling refs  ${status.danglingLastRun} in the last run`)
  const count = (outcome: string): number =>
    status.tombstones.filter((t) => t.outcome === outcome).length
  out(
    `  tombstones     ${count('applied')} applied, ${count('absent')} absent at the peer, ${count('failed')} failed` +
      (peer.applyTombstones ? '' : ' (tombstones are off for this peer)'),
  )
  for (const error of status.errors) out(`  last error     ${error}`)
  if (status.cursors.length === 0) {
    out('  cursors        none yet (no run)')
    return
  }
  out('  cursors:')
  const rows = status.cursors.map((c) => [
    c.direction,
    c.localCollectionId === '*' ? '*' : names.collection(c.localCollectionId),
    c.remoteCollectionId,
    c.direction === 'push' && c.position !== null && /^\d+$/.test(c.position)
      ? microsToTimestamp(Number(c.position))
      : (c.position ?? '(start)'),
    String(c.movedLastRun),
    String(c.movedTotal),
    c.lastError ?? '',
  ])
  const header = ['DIRECTION', 'LOCAL', 'REMOTE', 'POSITION', 'LAST RUN', 'TOTAL', 'ERROR']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  for (const row of [header, ...rows]) {
    out(
      `    ${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}`,
    )
  }
  const recent = status.tombstones.slice(-10)
  if (recent.length > 0) {
    out('  tombstones (latest):')
    for (const t of recent) {
      out(`    #${t.seq} ${t.outcome} at ${t.at}${t.message ? `: ${t.message}` : ''}`)
    }
  }
}

function previewLines(report: PreviewReport, names: Names, ctx: CliContext): void {
  const sent = report.items.filter((i) => i.send).length
  const held = report.items.length - sent
  printTable(
    ctx,
    ['SEND', 'RULE', 'ID', 'VERSION', 'COLLECTION', 'REASON'],
    report.items.map((i) => [
      i.send ? 'send' : 'hold',
      i.rule,
      i.id,
      i.version,
      names.collection(i.localCollectionId),
      i.reason,
    ]),
    `nothing new to push to peer ${report.peerName}`,
  )
  const byRule = Object.entries(report.byRule)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, n]) => `${rule} ${n}`)
    .join(', ')
  ctx.stdout.write(
    `peer ${report.peerName}: the next push would send ${sent} and hold back ${held}` +
      `${byRule ? ` (${byRule})` : ''}${report.truncated ? '; list cut at --limit, more follow' : ''}\n`,
  )
}

export const registerPeerCommands: CommandRegistrar = (program, ctx) => {
  const peer = program
    .command('peer')
    .description('Manage the peer nodes this node syncs with over TAXII 2.1 (federation)')

  withAdminOptions(
    withPeerSettings(
      peer
        .command('add')
        .description('Add a peer node: where it is, how to reach it, what moves')
        .argument('<name>', 'a short unique name for the peer')
        .requiredOption('--org <org>', "the peer's organisation on this node (name or id)"),
    ).option('--disabled', 'add it disabled (no sync until `peer update --enable`)'),
  ).action(async (name: string, options: PeerSettingsOptions & { disabled?: boolean }) => {
    if (options.url === undefined) throw usage("peer add needs --url <the peer's API root URL>")
    const auth = authFrom(ctx, options, true)
    if (auth === undefined) {
      throw usage(
        `peer add needs --auth (or $${PEER_AUTH_ENV}): basic:<user>:<password>, bearer:<token> or none`,
      )
    }
    if ((options.map ?? []).length === 0) {
      throw usage(
        "peer add needs at least one --map local=remote (local collection = peer's collection id)",
      )
    }
    const input: NewPeer = {
      name,
      url: options.url,
      auth,
      org: options.org ?? '',
      maps: (options.map ?? []).map(parseMap),
      filter: filterFrom(options, {}),
      ...(options.direction !== undefined ? { direction: parseDirection(options.direction) } : {}),
      ...(options.tombstones !== undefined
        ? { applyTombstones: parseOnOff(options.tombstones, '--tombstones') }
        : {}),
      ...(options.disabled ? { enabled: false } : {}),
    }
    const { added, names } = await runAdmin(ctx, options, async (_admin, store) => ({
      added: await addPeer(store, input),
      names: await namesOf(store),
    }))
    if (options.json) return printJson(ctx, listedPeer(summarisePeer(added), names))
    ctx.stdout.write(
      `added peer "${added.name}" (id ${added.id}): ${directionText(added.direction)} with ${added.url}, ` +
        `organisation ${names.org(added.orgId)}, ${added.maps.length} collection map${added.maps.length === 1 ? '' : 's'}\n` +
        `issue the key that peer uses to reach this node with: intelmesh peer key ${added.name}\n`,
    )
  })

  withAdminOptions(
    withPeerSettings(
      peer
        .command('update')
        .description('Change a peer: only the options given change (--map replaces every map)')
        .argument('<name>', 'the peer name or id'),
    )
      .option('--enable', 'sync with it again')
      .option('--disable', 'stop syncing with it (its cursors are kept)'),
  ).action(async (ref: string, options: UpdateOptions) => {
    if (options.enable && options.disable) throw usage('--enable and --disable exclude each other')
    const { updated, names } = await runAdmin(ctx, options, async (_admin, store) => {
      const current = await findPeer(store, ref)
      const auth = authFrom(ctx, options, false)
      const changes: PeerChanges = {
        ...(options.url !== undefined ? { url: options.url } : {}),
        ...(auth !== undefined ? { auth } : {}),
        ...(options.direction !== undefined
          ? { direction: parseDirection(options.direction) }
          : {}),
        ...((options.map ?? []).length > 0 ? { maps: (options.map ?? []).map(parseMap) } : {}),
        filter: filterFrom(options, current.filter),
        ...(options.tombstones !== undefined
          ? { applyTombstones: parseOnOff(options.tombstones, '--tombstones') }
          : {}),
        ...(options.enable ? { enabled: true } : {}),
        ...(options.disable ? { enabled: false } : {}),
      }
      return { updated: await updatePeer(store, current.id, changes), names: await namesOf(store) }
    })
    if (options.json) return printJson(ctx, listedPeer(summarisePeer(updated), names))
    ctx.stdout.write(
      `updated peer "${updated.name}": ${directionText(updated.direction)} with ${updated.url}, ` +
        `${updated.enabled ? 'enabled' : 'disabled'}, maps ${mapsText(summarisePeer(updated), names)}, filter ${filterText(updated.filter)}\n`,
    )
  })

  withAdminOptions(
    peer.command('list').description('List the peers (credentials are never shown)'),
  ).action(async (options: AdminOptions) => {
    const { peers, names } = await runAdmin(ctx, options, async (_admin, store) => ({
      peers: await listPeers(store),
      names: await namesOf(store),
    }))
    if (options.json)
      return printJson(
        ctx,
        peers.map((p) => listedPeer(p, names)),
      )
    printTable(
      ctx,
      [
        'NAME',
        'URL',
        'AUTH',
        'DIRECTION',
        'ORGANISATION',
        'MAPS',
        'FILTER',
        'TOMBSTONES',
        'STATUS',
      ],
      peers.map((p) => [
        p.name,
        p.url,
        p.authKind === 'basic' ? `basic (${p.authUser ?? ''})` : p.authKind,
        directionText(p.direction),
        names.org(p.orgId),
        mapsText(p, names),
        filterText(p.filter),
        p.applyTombstones ? 'on' : 'off',
        p.enabled ? 'enabled' : 'disabled',
      ]),
      'no peers (add one with: intelmesh peer add <name> --url ... --auth ... --org ... --map local=remote)',
    )
  })

  withAdminOptions(
    peer
      .command('status')
      .description(
        'Show how sync stands: last run, cursors, objects moved, lag, last error, tombstones applied',
      )
      .argument('[name]', 'one peer (default: every peer)'),
  ).action(async (ref: string | undefined, options: AdminOptions) => {
    const { statuses, names } = await runAdmin(ctx, options, async (_admin, store) => {
      const refs = ref !== undefined ? [ref] : (await listPeers(store)).map((p) => p.id)
      const all: PeerStatus[] = []
      for (const r of refs) all.push(await peerStatus(store, r))
      return { statuses: all, names: await namesOf(store) }
    })
    if (options.json) return printJson(ctx, ref !== undefined ? statuses[0] : statuses)
    if (statuses.length === 0) {
      ctx.stdout.write('no peers\n')
      return
    }
    statuses.forEach((status, i) => {
      if (i > 0) ctx.stdout.write('\n')
      statusLines(status, names, ctx)
    })
  })

  withAdminOptions(
    peer
      .command('remove')
      .description('Remove a peer with its cursors; the keys issued to it are revoked')
      .argument('<name>', 'the peer name or id'),
  ).action(async (ref: string, options: AdminOptions) => {
    const removed = await runAdmin(ctx, options, (_admin, store) => removePeer(store, ref))
    if (options.json) return printJson(ctx, { id: removed.id, name: removed.name, removed: true })
    ctx.stdout.write(
      `removed peer "${removed.name}"; its cursors are gone and the keys issued to it are revoked\n`,
    )
  })

  withAdminOptions(
    peer
      .command('preview')
      .description(
        'List what the next push to a peer would send and hold back, each with the rule that decided',
      )
      .argument('<name>', 'the peer name or id')
      .option('--limit <n>', 'most versions listed (default 1000)'),
  ).action(async (ref: string, options: AdminOptions & { limit?: string }) => {
    const limit = options.limit === undefined ? 1000 : Number(options.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000) {
      throw usage(`--limit must be a whole number from 1 to 1000000, got "${options.limit ?? ''}"`)
    }
    const { report, names } = await runAdmin(ctx, options, async (_admin, store) => {
      const found = await findPeer(store, ref)
      return {
        report: await previewPeer({ store }, found, { limit }),
        names: await namesOf(store),
      }
    })
    if (options.json) return printJson(ctx, report)
    previewLines(report, names, ctx)
  })

  withAdminOptions(
    peer
      .command('key')
      .description(
        "Issue the API key the peer uses to reach this node (read and write on the peer's mapped collections); shown once",
      )
      .argument('<name>', 'the peer name or id'),
  ).action(async (ref: string, options: AdminOptions) => {
    const issued = await runAdmin(ctx, options, (_admin, store) => createPeerKey(store, ref))
    if (options.json) return printJson(ctx, issued)
    ctx.stdout.write(
      `issued API key ${issued.prefix} for peer "${ref}" (user ${issued.userName}):\n${issued.key}\n` +
        '(shown once; it is stored hashed. The peer uses it as: --auth bearer:<key>)\n',
    )
  })
}
