/**
 * How a publisher's choice of audience becomes the stored distribution of an object version
 * (issue 5, "How a publisher chooses the distribution", "Ceilings", "Publishing can be
 * anonymous"). Pure: the caller (`src/ingest`) reads the organisation's settings, the sharing
 * groups and the organisations named, and hands them in; nothing here touches the store.
 *
 * ## Precedence
 * Each of three things is taken from the first level that names it, in the order
 * per object (`x_intelmesh_sharing`) > per POST (query parameters) > the publishing
 * organisation's default > the collection's default:
 * - the **scope** with its sharing groups (`groups` given alone means scope `groups`);
 * - the named **recipients** (chosen separately, so a TLP:RED object can name its recipients
 *   while the POST or a default supplies the scope);
 * - **anonymous** (the organisation's `anonymousByDefault` stands for both defaults).
 *
 * A peer node's write (federation) does not come here: it gets the inbound audience of
 * src/sharing/inbound.ts, the same as a pull.
 *
 * ## Checks, each a refusal of that object naming it (never a silent downgrade)
 * - groups and recipients named (by id or by name) must exist; a group named by the publisher
 *   must be owned by or include the publishing organisation;
 * - TLP:RED needs at least one named recipient. The publisher is not added to the recipients:
 *   its own users always see its versions (rule `PUBLISHER_OWN`), so naming it is allowed but
 *   not needed, and it does not count as the one recipient TLP:RED needs;
 * - the ceiling of the publishing user (or else of their role): a TLP less restrictive than the
 *   ceiling's `tlp`, or a distribution wider than its `scope`, is refused. Named recipients
 *   other than the publisher count as reaching as wide as `groups` (a named set of
 *   organisations), so an `organisation` ceiling also forbids naming recipients.
 *
 * @module
 */
import type {
  Distribution,
  DistributionScope,
  Organisation,
  SharingCeiling,
  SharingGroup,
  TlpLevel,
} from '../store/store.js'
import { tlpRank } from './tlp.js'

/** The custom property an object may carry to choose its own audience (removed before storing). */
export const SHARING_PROPERTY = 'x_intelmesh_sharing'

/** The distribution scopes from narrowest to widest. */
export const DISTRIBUTION_SCOPES: readonly DistributionScope[] = Object.freeze([
  'organisation',
  'groups',
  'community',
  'federation',
])

/** The position of `scope` in {@link DISTRIBUTION_SCOPES}: 0 (`organisation`) to 3 (`federation`). */
export function scopeRank(scope: DistributionScope): number {
  switch (scope) {
    case 'organisation':
      return 0
    case 'groups':
      return 1
    case 'community':
      return 2
    case 'federation':
      return 3
  }
}

/** True when `value` is one of the four {@link DISTRIBUTION_SCOPES}. */
export function isDistributionScope(value: unknown): value is DistributionScope {
  return typeof value === 'string' && (DISTRIBUTION_SCOPES as readonly string[]).includes(value)
}

/**
 * What one level (an object's `x_intelmesh_sharing`, or a POST's query parameters) asks for.
 * Groups and recipients are named as given: by id or by name.
 */
export interface SharingRequest {
  scope?: DistributionScope
  groups?: string[]
  recipients?: string[]
  anonymous?: boolean
}

/** `{ ok: true, request }`, or `{ ok: false, message }` naming what is wrong. */
export type ParsedSharingRequest =
  { ok: true; request: SharingRequest } | { ok: false; message: string }

const REQUEST_KEYS = ['distribution', 'groups', 'recipients', 'anonymous']

function nameList(value: unknown, field: string): string[] | string {
  if (!Array.isArray(value)) return `"${field}" must be a list of names or ids`
  const out: string[] = []
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string' || item.trim() === '') {
      return `"${field}"[${i}] must be a non-empty name or id`
    }
    if (!out.includes(item)) out.push(item)
  }
  return out
}

/**
 * Checks the combination of a request's fields: `groups` only with scope `groups` (which it
 * implies when no scope is given), and scope `groups` only with at least one group. Returns the
 * request with the implied scope, or a message.
 */
export function completeSharingRequest(request: SharingRequest): ParsedSharingRequest {
  const out: SharingRequest = { ...request }
  if (out.groups !== undefined) {
    if (out.scope === undefined) out.scope = 'groups'
    if (out.scope !== 'groups') {
      return {
        ok: false,
        message: `groups are named but the distribution is "${out.scope}"; groups go with the distribution "groups" only`,
      }
    }
  }
  if (out.scope === 'groups' && (out.groups === undefined || out.groups.length === 0)) {
    return {
      ok: false,
      message: 'the distribution "groups" needs at least one sharing group (by name or id)',
    }
  }
  return { ok: true, request: out }
}

/**
 * Reads the value of an object's `x_intelmesh_sharing` property:
 * `{ "distribution": "organisation" | "groups" | "community" | "federation",
 *    "groups": [names or ids], "recipients": [names or ids], "anonymous": true | false }`,
 * every member optional, no other member allowed.
 */
export function parseSharingProperty(value: unknown): ParsedSharingRequest {
  const where = SHARING_PROPERTY
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `${where} must be a JSON object` }
  }
  const record = value as Record<string, unknown>
  const unknown = Object.keys(record).filter((key) => !REQUEST_KEYS.includes(key))
  if (unknown.length > 0) {
    return {
      ok: false,
      message: `${where} has unknown member(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${REQUEST_KEYS.join(', ')}`,
    }
  }
  const request: SharingRequest = {}
  const { distribution, groups, recipients, anonymous } = record
  if (distribution !== undefined) {
    if (!isDistributionScope(distribution)) {
      return {
        ok: false,
        message: `${where}.distribution must be one of ${DISTRIBUTION_SCOPES.join(', ')}, got ${JSON.stringify(distribution)}`,
      }
    }
    request.scope = distribution
  }
  for (const [field, raw] of [
    ['groups', groups],
    ['recipients', recipients],
  ] as const) {
    if (raw === undefined) continue
    const list = nameList(raw, field)
    if (typeof list === 'string') return { ok: false, message: `${where}: ${list}` }
    request[field] = list
  }
  if (anonymous !== undefined) {
    if (typeof anonymous !== 'boolean') {
      return { ok: false, message: `${where}.anonymous must be true or false` }
    }
    request.anonymous = anonymous
  }
  const completed = completeSharingRequest(request)
  return completed.ok ? completed : { ok: false, message: `${where}: ${completed.message}` }
}

/** The ceiling that applies to the publisher, and whose it is (for the refusal message). */
export interface AppliedCeiling {
  ceiling: SharingCeiling
  /** E.g. `user alice` or `role analyst`. */
  source: string
}

/** Everything {@link decidePublication} needs besides the object. */
export interface PublishContext {
  publisherOrgId: string
  /** The publishing organisation's default distribution, or null when it has none. */
  organisationDefault: Distribution | null
  anonymousByDefault: boolean
  collectionDefault: Distribution
  ceiling: AppliedCeiling | undefined
  /** The sharing groups that may be named, keyed by id and by name. */
  groups: ReadonlyMap<string, SharingGroup>
  /** The organisations that may be named as recipients, keyed by id and by name. */
  organisations: ReadonlyMap<string, Organisation>
}

/** What is stored with the version, or why the object is refused. */
export type PublishDecision =
  { ok: true; distribution: Distribution; anonymous: boolean } | { ok: false; message: string }

const TLP_NAMES: Record<TlpLevel, string> = {
  clear: 'TLP:CLEAR',
  green: 'TLP:GREEN',
  amber: 'TLP:AMBER',
  'amber+strict': 'TLP:AMBER+STRICT',
  red: 'TLP:RED',
}

function quoteAll(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(', ')
}

function resolveGroups(
  refs: readonly string[],
  context: PublishContext,
): { ids: string[] } | { message: string } {
  const ids: string[] = []
  const unknown: string[] = []
  for (const ref of refs) {
    const group = context.groups.get(ref)
    const usable =
      group !== undefined &&
      (group.ownerOrgId === context.publisherOrgId ||
        group.members.includes(context.publisherOrgId))
    if (!usable) unknown.push(ref)
    else if (!ids.includes(group.id)) ids.push(group.id)
  }
  if (unknown.length > 0) {
    // One message for absent and for foreign groups, so a refusal tells nobody which exist.
    return {
      message: `no sharing group ${quoteAll(unknown)} that organisation ${context.publisherOrgId} owns or belongs to`,
    }
  }
  return { ids }
}

function resolveRecipients(
  refs: readonly string[],
  context: PublishContext,
): { ids: string[] } | { message: string } {
  const ids: string[] = []
  const unknown: string[] = []
  for (const ref of refs) {
    const org = context.organisations.get(ref)
    if (org === undefined) unknown.push(ref)
    else if (!ids.includes(org.id)) ids.push(org.id)
  }
  if (unknown.length > 0) {
    return { message: `unknown recipient organisation(s) ${quoteAll(unknown)}` }
  }
  return { ids }
}

/** How wide a distribution reaches, as a scope rank (named outside recipients reach `groups`). */
function widthOf(distribution: Distribution, publisherOrgId: string): number {
  const rank = scopeRank(distribution.scope)
  const outside = distribution.recipients.some((id) => id !== publisherOrgId)
  return outside ? Math.max(rank, scopeRank('groups')) : rank
}

function describeDistribution(distribution: Distribution): string {
  let text = `distribution "${distribution.scope}"`
  if (distribution.scope === 'groups') text += ` (groups ${distribution.groups.join(', ')})`
  if (distribution.recipients.length > 0) {
    text += ` with recipients ${distribution.recipients.join(', ')}`
  }
  return text
}

/**
 * The ceiling's refusal of `tlp` + `distribution`, or undefined when both are within it
 * (issue 5, "Ceilings": a clear refusal, not a silent downgrade).
 */
export function checkCeiling(
  objectId: string,
  tlp: TlpLevel,
  distribution: Distribution,
  publisherOrgId: string,
  applied: AppliedCeiling | undefined,
): string | undefined {
  if (applied === undefined) return undefined
  const { ceiling, source } = applied
  const tooOpen = ceiling.tlp !== undefined && tlpRank(tlp) < tlpRank(ceiling.tlp)
  const tooWide =
    ceiling.scope !== undefined && widthOf(distribution, publisherOrgId) > scopeRank(ceiling.scope)
  if (!tooOpen && !tooWide) return undefined
  const limits: string[] = []
  if (ceiling.tlp !== undefined) limits.push(`TLP no wider than ${TLP_NAMES[ceiling.tlp]}`)
  if (ceiling.scope !== undefined) limits.push(`distribution no wider than "${ceiling.scope}"`)
  const why: string[] = []
  if (tooOpen) why.push(`${TLP_NAMES[tlp]} is less restrictive than allowed`)
  if (tooWide) {
    why.push(
      distribution.scope !== 'organisation' || distribution.recipients.length === 0
        ? `"${distribution.scope}" is wider than allowed`
        : 'naming recipient organisations reaches wider than allowed',
    )
  }
  return `${objectId}: refused by the sharing ceiling of ${source} (${limits.join(', ')}): asked for ${TLP_NAMES[tlp]} with ${describeDistribution(distribution)}; ${why.join('; ')}. Nothing was downgraded; choose a narrower audience or ask an organisation admin`
}

/**
 * Decides the distribution and anonymity stored with one object version, or refuses it with a
 * message naming the object and the reason (see the module comment for the rules).
 *
 * @param objectId the object's id, named in refusals
 * @param tlp the object's effective TLP (its markings, else the node default)
 * @param fromObject the object's own `x_intelmesh_sharing`, already parsed
 * @param fromPost the POST's query parameters, already parsed
 */
export function decidePublication(
  objectId: string,
  tlp: TlpLevel,
  fromObject: SharingRequest | undefined,
  fromPost: SharingRequest | undefined,
  context: PublishContext,
): PublishDecision {
  const fallback: Distribution = context.organisationDefault ?? context.collectionDefault

  let scope: DistributionScope
  let groups: string[]
  const asked = [fromObject, fromPost].find((level) => level?.scope !== undefined)
  if (asked?.scope !== undefined) {
    scope = asked.scope
    groups = []
    if (scope === 'groups') {
      const resolved = resolveGroups(asked.groups ?? [], context)
      if ('message' in resolved) return { ok: false, message: `${objectId}: ${resolved.message}` }
      groups = resolved.ids
    }
  } else {
    scope = fallback.scope
    groups = scope === 'groups' ? [...fallback.groups] : []
  }

  let recipients: string[]
  const named = [fromObject, fromPost].find((level) => level?.recipients !== undefined)
  if (named?.recipients !== undefined) {
    const resolved = resolveRecipients(named.recipients, context)
    if ('message' in resolved) return { ok: false, message: `${objectId}: ${resolved.message}` }
    recipients = resolved.ids
  } else {
    recipients = [...fallback.recipients]
  }

  const anonymous = fromObject?.anonymous ?? fromPost?.anonymous ?? context.anonymousByDefault

  const distribution: Distribution = { scope, groups, recipients }
  if (tlp === 'red' && !recipients.some((id) => id !== context.publisherOrgId)) {
    return {
      ok: false,
      message: `${objectId}: TLP:RED reaches only named recipients, and none is named; name at least one recipient organisation other than the publisher (query parameter "recipients" or ${SHARING_PROPERTY}.recipients)`,
    }
  }
  const refused = checkCeiling(objectId, tlp, distribution, context.publisherOrgId, context.ceiling)
  if (refused !== undefined) return { ok: false, message: refused }
  return { ok: true, distribution, anonymous }
}

/**
 * The ceiling that binds a user: their own if set, which replaces their role's (issue 5,
 * "Ceilings"), else their role's, else none.
 */
export function ceilingFor(
  ceilings: {
    roles: Partial<Record<string, SharingCeiling>>
    users: Readonly<Record<string, SharingCeiling>>
  },
  user: { id: string; name: string; role: string },
): AppliedCeiling | undefined {
  const own = ceilings.users[user.id]
  if (own !== undefined) return { ceiling: own, source: `user ${user.name}` }
  const byRole = ceilings.roles[user.role]
  if (byRole !== undefined) return { ceiling: byRole, source: `role ${user.role}` }
  return undefined
}
