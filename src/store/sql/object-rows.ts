/**
 * What both adapters share about the `objects` table: the row shape, mapping rows to
 * `StoredObjectVersion`, planning an `addObjects` call (date_added and first/last upkeep), and
 * building the `queryObjects`/`deleteObjects` WHERE clause for a dialect.
 *
 * First/last (TAXII 2.1 section 3.4.2, `match[version]`): every object keeps two flags,
 * `is_first` and `is_last`, marking the versions with the lowest and highest `version_key`
 * among all versions of that object in the collection. The flags are kept up to date by
 * `addObjects` and `deleteObjects`, so `last` (the default) is a plain column filter. The other
 * filters (`added_after`, `match[id]`, `match[type]`, `match[spec_version]`) then apply to the
 * versions chosen: "the server MUST return only the latest version for each object matching the
 * remainder of the request" is read as: the latest version of the object, when it matches the
 * rest. So an object whose latest version was added before `added_after` is not returned again
 * through an older version.
 *
 * Visibility (issue 5, "The rule"): with `ObjectQuery.visibility`, `visibilityCondition` restates
 * the decision table of `src/sharing/policy.ts` over the row's columns, so pages hold only what
 * the viewer may see and `limit`/`more` stay exact. `first`/`last` then mean the first/last
 * version the viewer sees: a row flagged `is_last` that is visible is the last visible one;
 * any other visible row is the last visible one only when no newer version of the object is
 * visible (a NOT EXISTS probe on the `objects_version` index).
 */
import { AppError } from '../../errors.js'
import type {
  AddResult,
  DistributionScope,
  NewObjectVersion,
  ObjectJsonPage,
  ObjectQuery,
  StoredObjectVersion,
  TlpLevel,
  VersionMatch,
  VisibilityFilter,
} from '../store.js'
import { microsToTimestamp, versionKeyOf } from '../timestamps.js'

/** Columns of `objects` in the order the adapters select and insert them. */
export const objectColumns = [
  'collection_id',
  'date_added_micros',
  'id',
  'type',
  'spec_version',
  'version',
  'version_key',
  'is_first',
  'is_last',
  'json',
  'publisher_org_id',
  'publisher_actor',
  'marking_refs',
  'tlp',
  'dist_scope',
  'dist_groups',
  'dist_recipients',
  'anonymous',
  'origin_peer',
  'revoked',
] as const

/** Columns read back into a `StoredObjectVersion` (the flags stay internal). */
export const selectColumns = objectColumns.filter((c) => c !== 'is_first' && c !== 'is_last')

/** A row to insert, with its flags decided. */
export interface PlannedRow {
  version: NewObjectVersion
  versionKey: string
  dateAddedMicros: number
  isFirst: boolean
  isLast: boolean
}

/** A stored row that loses its first or last flag because a new version passes it. */
export interface FlagChange {
  collectionId: string
  id: string
  versionKey: string
  flag: 'is_first' | 'is_last'
}

export interface AddPlan {
  results: AddResult[]
  rows: PlannedRow[]
  flagChanges: FlagChange[]
  /** The last `date_added` assigned per collection touched by new rows. */
  lastMicros: Map<string, number>
}

/** What the planner needs to know about stored rows (the adapter answers from the database). */
export interface StoredState {
  /** The collection's last assigned `date_added_micros`, or undefined when no such collection. */
  lastMicros(collectionId: string): number | undefined
  /** Lowest and highest stored version keys of one object, or undefined when none. */
  bounds(collectionId: string, id: string): { min: string; max: string } | undefined
  /** The `date_added_micros` of a stored version, or undefined when not stored. */
  stored(collectionId: string, id: string, versionKey: string): number | undefined
}

interface Bound {
  key: string
  /** The planned row holding it, or undefined when it is a stored row. */
  planned: PlannedRow | undefined
}

/**
 * Decides, in input order, which versions are new (with their `date_added`) and which are
 * duplicates, and which first/last flags move. Pure apart from the reads in `state`.
 */
export function planAdd(
  versions: readonly NewObjectVersion[],
  nowMicros: number,
  state: StoredState,
): AddPlan {
  const now = Math.trunc(nowMicros)
  const results: AddResult[] = []
  const rows: PlannedRow[] = []
  const flagChanges: FlagChange[] = []
  const lastMicros = new Map<string, number>()
  const lastSeen = new Map<string, number>()
  const bounds = new Map<string, { min: Bound; max: Bound } | null>()
  const addedHere = new Map<string, number>()

  for (const v of versions) {
    let last = lastSeen.get(v.collectionId)
    if (last === undefined) {
      last = state.lastMicros(v.collectionId)
      if (last === undefined) {
        throw new AppError('STORE_NOT_FOUND', {
          detail: `collection ${v.collectionId} does not exist (adding ${v.id})`,
          details: { collectionId: v.collectionId, id: v.id },
        })
      }
      lastSeen.set(v.collectionId, last)
    }
    const versionKey = newVersionKey(v)
    const objectKey = `${v.collectionId}\u0000${v.id}`
    let b = bounds.get(objectKey)
    if (b === undefined) {
      const found = state.bounds(v.collectionId, v.id)
      b = found
        ? {
            min: { key: found.min, planned: undefined },
            max: { key: found.max, planned: undefined },
          }
        : null
      bounds.set(objectKey, b)
    }
    const versionId = `${objectKey}\u0000${versionKey}`
    const existing =
      addedHere.get(versionId) ?? (b ? state.stored(v.collectionId, v.id, versionKey) : undefined)
    if (existing !== undefined) {
      results.push({
        id: v.id,
        version: v.version,
        outcome: 'duplicate',
        dateAdded: microsToTimestamp(existing),
      })
      continue
    }
    const micros = Math.max(now, last + 1)
    lastSeen.set(v.collectionId, micros)
    lastMicros.set(v.collectionId, micros)
    addedHere.set(versionId, micros)
    const row: PlannedRow = {
      version: v,
      versionKey,
      dateAddedMicros: micros,
      isFirst: false,
      isLast: false,
    }
    if (b === null) {
      row.isFirst = true
      row.isLast = true
      bounds.set(objectKey, {
        min: { key: versionKey, planned: row },
        max: { key: versionKey, planned: row },
      })
    } else {
      if (versionKey < b.min.key) {
        demote(b.min, 'is_first', v, flagChanges)
        row.isFirst = true
        b.min = { key: versionKey, planned: row }
      }
      if (versionKey > b.max.key) {
        demote(b.max, 'is_last', v, flagChanges)
        row.isLast = true
        b.max = { key: versionKey, planned: row }
      }
    }
    rows.push(row)
    results.push({
      id: v.id,
      version: v.version,
      outcome: 'added',
      dateAdded: microsToTimestamp(micros),
    })
  }
  return { results, rows, flagChanges, lastMicros }
}

/** The key a new version is stored under (the caller's key, normalised). */
export function newVersionKey(v: NewObjectVersion): string {
  return v.version === '' ? '' : versionKeyOf(v.versionKey || v.version)
}

function demote(
  bound: Bound,
  flag: 'is_first' | 'is_last',
  v: NewObjectVersion,
  changes: FlagChange[],
): void {
  if (bound.planned) {
    if (flag === 'is_first') bound.planned.isFirst = false
    else bound.planned.isLast = false
  } else {
    changes.push({ collectionId: v.collectionId, id: v.id, versionKey: bound.key, flag })
  }
}

const scopes: readonly DistributionScope[] = ['organisation', 'groups', 'community', 'federation']
const tlps: readonly TlpLevel[] = ['clear', 'green', 'amber', 'amber+strict', 'red']

/**
 * Reads a row selected as an array of `selectColumns` (the drivers' raw/array mode, which
 * skips building a keyed object per row: paging is dominated by per-row costs).
 */
export function arrayToVersion(r: readonly unknown[]): StoredObjectVersion {
  const micros = Number(r[1])
  const tlp = r[11]
  return {
    collectionId: String(r[0]),
    id: String(r[2]),
    type: String(r[3]),
    specVersion: String(r[4]),
    version: String(r[5]),
    versionKey: String(r[6]),
    dateAdded: microsToTimestamp(micros),
    dateAddedMicros: micros,
    json: String(r[7]),
    publisherOrgId: nullableString(r[8]),
    publisherActor: nullableString(r[9]),
    markingRefs: parseStringArray(String(r[10])),
    // An unknown TLP or scope is handed on as stored (the types cannot vouch for rows), so
    // that `decideVisibility` sees it and fails closed, as the SQL filter does.
    tlp: typeof tlp === 'string' ? (tlp as TlpLevel) : null,
    distribution: {
      scope: String(r[12]) as DistributionScope,
      groups: parseStringArray(String(r[13])),
      recipients: parseStringArray(String(r[14])),
    },
    anonymous: Boolean(r[15]),
    originPeer: nullableString(r[16]),
    revoked: Boolean(r[17]),
  }
}

function nullableString(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

/** Recently parsed arrays: markings and groups repeat across most rows of a page. */
const parsedArrays = new Map<string, readonly string[]>()

/** Parses a JSON array of strings written by this store (a fresh array each call). */
export function parseStringArray(text: string): string[] {
  if (text === '[]') return []
  const cached = parsedArrays.get(text)
  if (cached) return cached.slice()
  const value: unknown = JSON.parse(text)
  const strings = Array.isArray(value)
    ? value.filter((x): x is string => typeof x === 'string')
    : []
  if (parsedArrays.size >= 256) parsedArrays.clear()
  parsedArrays.set(text, strings)
  return strings.slice()
}

/** The values of one planned row, in `objectColumns` order; booleans through `bool`. */
export function rowValues<B>(row: PlannedRow, bool: (b: boolean) => B): unknown[] {
  const v = row.version
  return [
    v.collectionId,
    row.dateAddedMicros,
    v.id,
    v.type,
    v.specVersion,
    v.version,
    row.versionKey,
    bool(row.isFirst),
    bool(row.isLast),
    v.json,
    v.publisherOrgId,
    v.publisherActor,
    JSON.stringify(v.markingRefs),
    v.tlp,
    v.distribution.scope,
    JSON.stringify(v.distribution.groups),
    JSON.stringify(v.distribution.recipients),
    bool(v.anonymous),
    v.originPeer,
    bool(v.revoked),
  ]
}

/** How a dialect writes parameters and lists. */
export interface SqlDialect {
  /** Adds a parameter and returns its placeholder. */
  param(params: unknown[], value: unknown): string
  /** `column IN (...)` for a list of strings. */
  inList(params: unknown[], column: string, values: readonly string[]): string
  /** The literal for true. */
  trueLiteral: string
  /**
   * Hint placed after `FROM objects` when looking objects up by id: without statistics SQLite
   * walks the (collection, date_added) key to avoid a sort, reading the whole collection.
   */
  byIdHint: string
  /** Position (1-based, 0 when absent) of one text in another: `instr` / `strpos`. */
  position: string
  /** A one-character backslash, as an expression (no string-literal escaping rules involved). */
  backslash: string
  /** True when the JSON array text `column` has a string element equal to the placeholder. */
  jsonArrayHas(column: string, placeholder: string): string
}

export const sqliteSql: SqlDialect = {
  param(params, value) {
    params.push(value)
    return '?'
  },
  inList(params, column, values) {
    params.push(...values)
    return `${column} IN (${values.map(() => '?').join(', ')})`
  },
  trueLiteral: '1',
  byIdHint: ' INDEXED BY objects_version',
  position: 'instr',
  backslash: 'char(92)',
  jsonArrayHas: (column, placeholder) =>
    `EXISTS (SELECT 1 FROM json_each(${column}) AS e WHERE e.value = ${placeholder})`,
}

export const postgresSql: SqlDialect = {
  param(params, value) {
    params.push(value)
    return `$${params.length}`
  },
  inList(params, column, values) {
    params.push([...values])
    return `${column} = ANY($${params.length}::text[])`
  },
  trueLiteral: 'TRUE',
  byIdHint: '',
  position: 'strpos',
  backslash: 'chr(92)',
  jsonArrayHas: (column, placeholder) =>
    `EXISTS (SELECT 1 FROM jsonb_array_elements_text(${column}::jsonb) AS e(v) WHERE e.v = ${placeholder})`,
}

/**
 * The condition for a `match[version]` value, or undefined when it selects every version.
 * Exact versions are compared by key, so `2016-01-01T00:00:00Z` matches `...00.000Z`.
 */
export function versionCondition(
  dialect: SqlDialect,
  params: unknown[],
  match: VersionMatch,
  visibility?: VisibilityFilter,
): string | undefined {
  switch (match.kind) {
    case 'last':
    case 'first': {
      const flag = match.kind === 'last' ? 'is_last' : 'is_first'
      if (visibility === undefined) return `${flag} = ${dialect.trueLiteral}`
      // The row itself is visible (checked beside this condition); it is the last (first)
      // the viewer sees when no newer (older) version of the object is visible.
      const beyond = match.kind === 'last' ? '>' : '<'
      return `(${flag} = ${dialect.trueLiteral} OR NOT EXISTS (SELECT 1 FROM objects AS n${dialect.byIdHint}
        WHERE n.collection_id = objects.collection_id AND n.id = objects.id
          AND n.version_key ${beyond} objects.version_key
          AND ${visibilityCondition(dialect, params, visibility, 'n.')}))`
    }
    case 'all':
      return undefined
    case 'exact':
      if (match.keys.length === 0) return '1 = 0'
      return dialect.inList(params, 'version_key', [...new Set(match.keys.map(versionKeyOf))])
    case 'union': {
      const parts: string[] = []
      for (const part of match.parts) {
        const condition = versionCondition(dialect, params, part, visibility)
        if (condition === undefined) return undefined
        parts.push(condition)
      }
      return parts.length ? `(${parts.join(' OR ')})` : '1 = 0'
    }
  }
}

export interface ObjectFilter {
  collectionId: string
  afterMicros?: number | undefined
  ids?: readonly string[] | undefined
  types?: readonly string[] | undefined
  specVersions?: readonly string[] | undefined
  versions?: VersionMatch | undefined
  visibility?: VisibilityFilter | undefined
}

/** The WHERE clause (without the keyword) for the filter, pushing its parameters. */
export function objectWhere(dialect: SqlDialect, params: unknown[], filter: ObjectFilter): string {
  const where = [`collection_id = ${dialect.param(params, filter.collectionId)}`]
  if (filter.afterMicros !== undefined) {
    where.push(`date_added_micros > ${dialect.param(params, Math.trunc(filter.afterMicros))}`)
  }
  if (filter.ids) where.push(listOrNothing(dialect, params, 'id', filter.ids))
  if (filter.types) where.push(listOrNothing(dialect, params, 'type', filter.types))
  if (filter.specVersions) {
    where.push(listOrNothing(dialect, params, 'spec_version', filter.specVersions))
  }
  if (filter.visibility !== undefined) {
    where.push(visibilityCondition(dialect, params, filter.visibility, ''))
  }
  const version = versionCondition(
    dialect,
    params,
    filter.versions ?? { kind: 'last' },
    filter.visibility,
  )
  if (version !== undefined) where.push(version)
  return where.join(' AND ')
}

/** The SQL list of string literals for fixed names (never user input). */
function literals(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ')
}

/**
 * The row's effective TLP (`COALESCE(tlp, defaultTlp)`) is one of `levels`. A default that is
 * not a TLP level makes rows without a TLP match nothing (fail closed).
 */
function tlpIn(t: string, levels: readonly TlpLevel[], defaultTlp: unknown): string {
  const test = `${t}tlp IN (${literals(levels)})`
  return levels.some((l) => l === defaultTlp) ? `(${t}tlp IS NULL OR ${test})` : test
}

const belowRed = tlps.filter((l) => l !== 'red')
const forwardable: readonly TlpLevel[] = ['clear', 'green']

/**
 * True when the JSON array text `column` (written by `JSON.stringify(string[])`) holds `id`.
 * The quoted id found as a substring is exact when neither the id nor any stored element holds
 * a `"` (in stored text such a character is escaped, so its row has a backslash), nor the id a
 * comma (`","` would match between elements): those rare cases parse the JSON instead.
 */
function jsonArrayContains(
  dialect: SqlDialect,
  params: unknown[],
  column: string,
  id: string,
): string {
  if (/["\\,]/.test(id)) return dialect.jsonArrayHas(column, dialect.param(params, id))
  const needle = dialect.param(params, JSON.stringify(id))
  const raw = dialect.param(params, id)
  return `(CASE WHEN ${dialect.position}(${column}, ${dialect.backslash}) = 0
    THEN ${dialect.position}(${column}, ${needle}) > 0
    ELSE ${dialect.jsonArrayHas(column, raw)} END)`
}

/**
 * True when the JSON array text `column` holds any of `ids`. Cheap for the lists most rows
 * have: an empty list matches nothing and a one-element list matches by equality of the whole
 * text (`["id"]`, exact for any id); only a list of several elements, whose text alone holds
 * `","` (a quote inside an element is escaped), is searched id by id.
 */
function jsonArrayContainsAny(
  dialect: SqlDialect,
  params: unknown[],
  column: string,
  ids: readonly string[],
): string {
  const single = dialect.inList(
    params,
    column,
    ids.map((id) => JSON.stringify([id])),
  )
  const several = ids.map((id) => jsonArrayContains(dialect, params, column, id))
  return `(${single} OR (${dialect.position}(${column}, '","') > 0 AND (${several.join(' OR ')})))`
}

/**
 * The sharing rule (`decideVisibility`, issue 5 "The rule") as a condition on the columns of
 * `objects` (qualified by `t`, e.g. `n.` or empty): true for exactly the rows the viewer sees.
 * Rows with an unknown TLP or scope are hidden from everyone, publisher included.
 */
export function visibilityCondition(
  dialect: SqlDialect,
  params: unknown[],
  visibility: VisibilityFilter,
  t: string,
): string {
  const d = visibility.defaultTlp
  // Known TLP and scope. The branches that test a TLP below RED and a named scope imply it,
  // so only the others (publisher, node, recipient) spend it on each row.
  const valid = `${tlpIn(t, tlps, d)} AND ${t}dist_scope IN (${literals(scopes)})`
  switch (visibility.kind) {
    case 'user': {
      // The community branch first: most versions are shared that way, and OR stops there.
      const grants: string[] = []
      // Groups and the community are audiences on this node only.
      if (visibility.onNode) {
        const reach = [`${t}dist_scope IN ('community', 'federation')`]
        const groups = [...new Set(visibility.groupIds)]
        if (groups.length) {
          const member = jsonArrayContainsAny(dialect, params, `${t}dist_groups`, groups)
          reach.push(`(${t}dist_scope = 'groups' AND ${member})`)
        }
        grants.push(`(${tlpIn(t, belowRed, d)} AND (${reach.join(' OR ')}))`)
      }
      const own = [`${t}publisher_org_id = ${dialect.param(params, visibility.orgId)}`]
      if (visibility.isNodeAdmin) {
        own.push(`(${t}publisher_org_id IS NULL AND ${t}origin_peer IS NULL)`)
      }
      own.push(jsonArrayContainsAny(dialect, params, `${t}dist_recipients`, [visibility.orgId]))
      grants.push(`((${own.join(' OR ')}) AND ${valid})`)
      return `(${grants.join(' OR ')})`
    }
    case 'public':
      if (!visibility.collectionPublic) return '1 = 0'
      return `(${tlpIn(t, ['clear'], d)} AND ${t}dist_scope = 'federation')`
    case 'peer': {
      // Never back to the peer it came from; from another peer, only CLEAR and GREEN move on.
      const origin = `(${t}origin_peer IS NULL OR (${t}origin_peer <> ${dialect.param(params, visibility.peerId)} AND ${tlpIn(t, forwardable, d)}))`
      const recipient = jsonArrayContainsAny(dialect, params, `${t}dist_recipients`, [
        visibility.orgId,
      ])
      const federated = `(${tlpIn(t, belowRed, d)} AND ${t}dist_scope = 'federation')`
      return `(${origin} AND ((${recipient} AND ${valid}) OR ${federated}))`
    }
  }
}

function listOrNothing(
  dialect: SqlDialect,
  params: unknown[],
  column: string,
  values: readonly string[],
): string {
  // An empty list filters everything out rather than being ignored.
  return values.length ? dialect.inList(params, column, [...new Set(values)]) : '1 = 0'
}

/** The later of two optional cursors. */
export function laterOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return Math.max(a, b)
}

/**
 * The page query for `queryObjects`: matching versions ordered by `date_added_micros`, at most
 * `limit` rows. Several types are read as one ordered index range per type, merged (UNION ALL
 * of per-type pages), so a page never sorts every object of those types.
 */
export function objectPageSql(
  dialect: SqlDialect,
  params: unknown[],
  filter: ObjectFilter,
  limit: number,
  columns: string,
): string {
  const types = filter.types ? [...new Set(filter.types)] : undefined
  if (types && types.length > 1 && !filter.ids) {
    const arms = types.map((type, n) => {
      const where = objectWhere(dialect, params, { ...filter, types: [type] })
      const max = dialect.param(params, limit)
      return `SELECT * FROM (SELECT ${columns} FROM objects WHERE ${where} ORDER BY date_added_micros LIMIT ${max}) AS t${n}`
    })
    const max = dialect.param(params, limit)
    return `SELECT * FROM (${arms.join(' UNION ALL ')}) AS merged ORDER BY date_added_micros LIMIT ${max}`
  }
  const hint = filter.ids ? dialect.byIdHint : ''
  const where = objectWhere(dialect, params, { ...filter, types })
  const max = dialect.param(params, limit)
  return `SELECT ${columns} FROM objects${hint} WHERE ${where} ORDER BY date_added_micros LIMIT ${max}`
}

/**
 * Columns of a `queryObjectJson` row, in the order `arraysToJsonPage` reads them. Under a
 * viewer, the third column holds the publisher of an anonymous version ('' for the node) and NULL
 * for the others, so most rows cost no extra string. The id and stored TLP follow (for audit
 * entries, without parsing the JSON).
 */
export function jsonPageColumns(visibility: VisibilityFilter | undefined): string {
  return visibility === undefined
    ? 'json, date_added_micros, NULL, id, tlp'
    : "json, date_added_micros, CASE WHEN anonymous THEN COALESCE(publisher_org_id, '') END, id, tlp"
}

/**
 * The page query of an `ObjectQuery` selecting `columns`. It asks for one row more than
 * `limit`: that row, when present, only says that more follow.
 */
export function objectQuerySql(
  dialect: SqlDialect,
  params: unknown[],
  query: ObjectQuery,
  columns: string,
): { sql: string; limit: number } {
  const limit = Math.max(0, Math.trunc(query.limit))
  const sql = objectPageSql(
    dialect,
    params,
    {
      collectionId: query.collectionId,
      afterMicros: laterOf(query.addedAfterMicros, query.afterMicros),
      ids: query.ids,
      types: query.types,
      specVersions: query.specVersions,
      versions: query.versions,
      visibility: query.visibility,
    },
    limit + 1,
    columns,
  )
  return { sql, limit }
}

/**
 * Reads rows selected as arrays of `jsonPageColumns` (at most `limit + 1`) into a page. A row
 * is masked for a viewer when it was published anonymously and the viewer is not a user of the
 * publishing organisation; nothing is masked without a viewer.
 */
export function arraysToJsonPage(
  rows: readonly (readonly unknown[])[],
  limit: number,
  visibility?: VisibilityFilter,
): ObjectJsonPage {
  const json: string[] = []
  const dateAddedMicros: number[] = []
  const masked: boolean[] = []
  const ids: string[] = []
  const tlp: (TlpLevel | null)[] = []
  const ownOrg = visibility?.kind === 'user' ? visibility.orgId : undefined
  for (const row of rows) {
    if (json.length === limit) break
    json.push(String(row[0]))
    dateAddedMicros.push(Number(row[1]))
    ids.push(String(row[3]))
    const level = row[4]
    tlp.push(
      typeof level === 'string' && tlps.includes(level as TlpLevel) ? (level as TlpLevel) : null,
    )
    const anonymousPublisher = row[2]
    masked.push(
      typeof anonymousPublisher === 'string' &&
        (ownOrg === undefined || anonymousPublisher !== ownOrg),
    )
  }
  return { json, dateAddedMicros, masked, ids, tlp, more: rows.length > limit }
}

/**
 * The versions of one object in one collection, oldest `date_added` first, with only those the
 * viewer sees when `visibility` is given.
 */
export function objectVersionsSql(
  dialect: SqlDialect,
  params: unknown[],
  collectionId: string,
  id: string,
  visibility: VisibilityFilter | undefined,
  columns: string,
): string {
  const where = [
    `collection_id = ${dialect.param(params, collectionId)}`,
    `id = ${dialect.param(params, id)}`,
  ]
  if (visibility !== undefined) where.push(visibilityCondition(dialect, params, visibility, ''))
  return `SELECT ${columns} FROM objects${dialect.byIdHint} WHERE ${where.join(' AND ')} ORDER BY date_added_micros`
}

/**
 * Every version of one object id in every collection, by collection then `date_added`. The
 * collection list drives the lookup so each collection is one probe of `objects_version`.
 */
export function findObjectVersionsSql(
  dialect: SqlDialect,
  params: unknown[],
  id: string,
  columns: string,
): string {
  return `SELECT ${columns} FROM objects${dialect.byIdHint}
    WHERE collection_id IN (SELECT c.id FROM collections AS c) AND id = ${dialect.param(params, id)}
    ORDER BY collection_id, date_added_micros`
}
