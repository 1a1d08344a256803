/**
 * The record-keeping half of the Store port (settings, organisations, users, API keys, API roots,
 * collections, grants, statuses), written once with Kysely and run over either dialect. Driver
 * errors are handed to the adapter's `mapError`, which turns them into AppError codes.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely'
import { AppError } from '../../errors.js'
import type {
  ApiKey,
  ApiRoot,
  Collection,
  CollectionGrant,
  Distribution,
  Organisation,
  Role,
  StatusDetail,
  StatusRecord,
  User,
} from '../store.js'
import { versionKeyOf } from '../timestamps.js'
import type { PeerStore } from '../peer-store.js'
import { parseStringArray } from './object-rows.js'
import { createPeerRecords } from './peer-records.js'

type Bool = number | boolean

/** Kysely's view of the record tables. */
export interface RecordTables {
  settings: { key: string; value: string }
  organisations: { id: string; name: string; identity_id: string; created_at: string }
  users: {
    id: string
    org_id: string
    name: string
    role: string
    password_hash: string | null
    disabled: Bool
    created_at: string
  }
  api_keys: {
    id: string
    user_id: string
    prefix: string
    key_hash: string
    label: string
    revoked: Bool
    created_at: string
    last_used_at: string | null
  }
  api_roots: {
    id: string
    path: string
    title: string
    description: string | null
    max_content_length: number | string
    created_at: string
  }
  collections: {
    id: string
    api_root_id: string
    alias: string
    title: string
    description: string | null
    media_types: string
    default_distribution: string
    created_at: string
    last_date_added_micros: number | string
  }
  collection_grants: {
    collection_id: string
    subject_kind: string
    subject_id: string
    can_read: Bool
    can_write: Bool
  }
  statuses: {
    id: string
    api_root_id: string
    owner_user_id: string
    status: string
    request_timestamp: string
    total_count: number | string
    successes: string
    failures: string
    pendings: string
    expires_at: string
    expires_key: string
  }
}

const roles: readonly Role[] = ['admin', 'analyst', 'reader']

/** Record operations shared by both adapters, which extend it with the object methods. */
export class Records {
  constructor(
    protected readonly db: Kysely<RecordTables>,
    /** How this dialect binds a boolean (SQLite has none). */
    private readonly bool: (value: boolean) => Bool,
    /** Turns a driver error into an AppError (or returns it unchanged). */
    protected readonly mapError: (error: unknown, what: string) => unknown,
  ) {
    this.peers = createPeerRecords(db, bool, mapError)
  }

  /** Set by the adapter's `close()`; every later call is refused. */
  protected closed = false

  /** Peers, sync cursors and tombstones (issue 6). */
  readonly peers: PeerStore

  /** SQL of the lookups every TAXII request makes, compiled once per statement shape. */
  private readonly compiled = new Map<string, CompiledQuery>()

  /**
   * Runs a statement compiled on its first use and reused after with this call's values:
   * Kysely otherwise rebuilds and recompiles the query on every call, which costs more than the
   * small account and collection lookups themselves. Only the SQL text is kept; every call
   * still reads the database, so account state (disabled users, revoked keys) is never cached.
   * `build` must bind exactly `parameters`, in order (checked when it is first compiled).
   */
  private async reuse<Row>(
    shape: string,
    build: () => Compilable<Row>,
    parameters: readonly unknown[],
  ): Promise<Row[]> {
    let compiled = this.compiled.get(shape) as CompiledQuery<Row> | undefined
    if (compiled === undefined) {
      compiled = build().compile()
      const bound = compiled.parameters
      if (bound.length !== parameters.length || bound.some((value, i) => value !== parameters[i])) {
        throw new Error(`statement ${shape} does not bind the values it is given`)
      }
      this.compiled.set(shape, compiled)
    }
    const result = await this.db.executeQuery<Row>({ ...compiled, parameters })
    return result.rows
  }

  private async run<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new AppError('STORE_UNAVAILABLE', { detail: 'the store is closed' })
    try {
      return await work()
    } catch (error) {
      throw this.mapError(error, what)
    }
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = await this.run(`reading setting ${key}`, () =>
      this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst(),
    )
    return row?.value
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.run(`writing setting ${key}`, () =>
      this.db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute(),
    )
  }

  async createOrganisation(org: Organisation): Promise<void> {
    await this.run(`creating organisation ${org.name}`, () =>
      this.db
        .insertInto('organisations')
        .values({
          id: org.id,
          name: org.name,
          identity_id: org.identityId,
          created_at: org.createdAt,
        })
        .execute(),
    )
  }

  async getOrganisation(id: string): Promise<Organisation | undefined> {
    const row = await this.run(`reading organisation ${id}`, () =>
      this.db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst(),
    )
    return row && toOrganisation(row)
  }

  async getOrganisationByName(name: string): Promise<Organisation | undefined> {
    const row = await this.run(`reading organisation ${name}`, () =>
      this.db.selectFrom('organisations').selectAll().where('name', '=', name).executeTakeFirst(),
    )
    return row && toOrganisation(row)
  }

  async listOrganisations(): Promise<Organisation[]> {
    const rows = await this.run('listing organisations', () =>
      this.db.selectFrom('organisations').selectAll().orderBy('name').orderBy('id').execute(),
    )
    return rows.map(toOrganisation)
  }

  async createUser(user: User): Promise<void> {
    await this.run(`creating user ${user.name}`, () =>
      this.db
        .insertInto('users')
        .values({
          id: user.id,
          org_id: user.orgId,
          name: user.name,
          role: user.role,
          password_hash: user.passwordHash,
          disabled: this.bool(user.disabled),
          created_at: user.createdAt,
        })
        .execute(),
    )
  }

  async getUser(id: string): Promise<User | undefined> {
    const [row] = await this.run(`reading user ${id}`, () =>
      this.reuse('getUser', () => this.db.selectFrom('users').selectAll().where('id', '=', id), [
        id,
      ]),
    )
    return row && toUser(row)
  }

  async getUserByName(name: string): Promise<User | undefined> {
    const row = await this.run(`reading user ${name}`, () =>
      this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst(),
    )
    return row && toUser(row)
  }

  async listUsers(orgId?: string): Promise<User[]> {
    const rows = await this.run('listing users', () => {
      let q = this.db.selectFrom('users').selectAll()
      if (orgId !== undefined) q = q.where('org_id', '=', orgId)
      return q.orderBy('name').orderBy('id').execute()
    })
    return rows.map(toUser)
  }

  async setUserDisabled(id: string, disabled: boolean): Promise<boolean> {
    const result = await this.run(`updating user ${id}`, () =>
      this.db
        .updateTable('users')
        .set({ disabled: this.bool(disabled) })
        .where('id', '=', id)
        .executeTakeFirst(),
    )
    return result.numUpdatedRows > 0n
  }

  async setUserPassword(id: string, passwordHash: string): Promise<boolean> {
    const result = await this.run(`updating user ${id}`, () =>
      this.db
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', id)
        .executeTakeFirst(),
    )
    return result.numUpdatedRows > 0n
  }

  async createApiKey(key: ApiKey): Promise<void> {
    await this.run(`creating API key ${key.prefix}`, () =>
      this.db
        .insertInto('api_keys')
        .values({
          id: key.id,
          user_id: key.userId,
          prefix: key.prefix,
          key_hash: key.keyHash,
          label: key.label,
          revoked: this.bool(key.revoked),
          created_at: key.createdAt,
          last_used_at: key.lastUsedAt,
        })
        .execute(),
    )
  }

  async getApiKeyByPrefix(prefix: string): Promise<ApiKey | undefined> {
    const [row] = await this.run(`reading API key ${prefix}`, () =>
      this.reuse(
        'getApiKeyByPrefix',
        () => this.db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix),
        [prefix],
      ),
    )
    return row && toApiKey(row)
  }

  async listApiKeys(userId?: string): Promise<ApiKey[]> {
    const rows = await this.run('listing API keys', () => {
      let q = this.db.selectFrom('api_keys').selectAll()
      if (userId !== undefined) q = q.where('user_id', '=', userId)
      return q.orderBy('created_at').orderBy('id').execute()
    })
    return rows.map(toApiKey)
  }

  async revokeApiKey(id: string): Promise<boolean> {
    const result = await this.run(`revoking API key ${id}`, () =>
      this.db
        .updateTable('api_keys')
        .set({ revoked: this.bool(true) })
        .where('id', '=', id)
        .executeTakeFirst(),
    )
    return result.numUpdatedRows > 0n
  }

  async touchApiKey(id: string, at: string): Promise<void> {
    await this.run(`updating API key ${id}`, () =>
      this.reuse(
        'touchApiKey',
        () => this.db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id),
        [at, id],
      ),
    )
  }

  async createApiRoot(root: ApiRoot): Promise<void> {
    await this.run(`creating API root ${root.path}`, () =>
      this.db
        .insertInto('api_roots')
        .values({
          id: root.id,
          path: root.path,
          title: root.title,
          description: root.description,
          max_content_length: root.maxContentLength,
          created_at: root.createdAt,
        })
        .execute(),
    )
  }

  async getApiRootByPath(path: string): Promise<ApiRoot | undefined> {
    const [row] = await this.run(`reading API root ${path}`, () =>
      this.reuse(
        'getApiRootByPath',
        () => this.db.selectFrom('api_roots').selectAll().where('path', '=', path),
        [path],
      ),
    )
    return row && toApiRoot(row)
  }

  async listApiRoots(): Promise<ApiRoot[]> {
    const rows = await this.run('listing API roots', () =>
      this.db.selectFrom('api_roots').selectAll().orderBy('path').execute(),
    )
    return rows.map(toApiRoot)
  }

  async createCollection(c: Collection): Promise<void> {
    await this.run(`creating collection ${c.alias}`, () =>
      this.db
        .insertInto('collections')
        .values({
          id: c.id,
          api_root_id: c.apiRootId,
          alias: c.alias,
          title: c.title,
          description: c.description,
          media_types: JSON.stringify(c.mediaTypes),
          default_distribution: JSON.stringify(c.defaultDistribution),
          created_at: c.createdAt,
          last_date_added_micros: 0,
        })
        .execute(),
    )
  }

  async getCollection(id: string): Promise<Collection | undefined> {
    const [row] = await this.run(`reading collection ${id}`, () =>
      this.reuse(
        'getCollection',
        () => this.db.selectFrom('collections').selectAll().where('id', '=', id),
        [id],
      ),
    )
    return row && toCollection(row)
  }

  async getCollectionByAlias(alias: string): Promise<Collection | undefined> {
    const row = await this.run(`reading collection ${alias}`, () =>
      this.db.selectFrom('collections').selectAll().where('alias', '=', alias).executeTakeFirst(),
    )
    return row && toCollection(row)
  }

  async listCollections(apiRootId?: string): Promise<Collection[]> {
    const rows = await this.run('listing collections', () => {
      let q = this.db.selectFrom('collections').selectAll()
      if (apiRootId !== undefined) q = q.where('api_root_id', '=', apiRootId)
      // Creation order, then id: TAXII 2.1 section 3.3 asks for a consistent order.
      return q.orderBy('created_at').orderBy('id').execute()
    })
    return rows.map(toCollection)
  }

  async setCollectionGrant(grant: CollectionGrant): Promise<void> {
    const canRead = this.bool(grant.canRead)
    const canWrite = this.bool(grant.canWrite)
    await this.run(`granting collection ${grant.collectionId}`, () =>
      this.db
        .insertInto('collection_grants')
        .values({
          collection_id: grant.collectionId,
          subject_kind: grant.subjectKind,
          subject_id: grant.subjectId,
          can_read: canRead,
          can_write: canWrite,
        })
        .onConflict((oc) =>
          oc
            .columns(['collection_id', 'subject_kind', 'subject_id'])
            .doUpdateSet({ can_read: canRead, can_write: canWrite }),
        )
        .execute(),
    )
  }

  async listCollectionGrants(collectionId?: string): Promise<CollectionGrant[]> {
    const rows = await this.run('listing collection grants', () => {
      const build = () => {
        let q = this.db.selectFrom('collection_grants').selectAll()
        if (collectionId !== undefined) q = q.where('collection_id', '=', collectionId)
        return q.orderBy('collection_id').orderBy('subject_kind').orderBy('subject_id')
      }
      return collectionId === undefined
        ? build().execute()
        : this.reuse('listCollectionGrants(collection)', build, [collectionId])
    })
    return rows.map((r) => ({
      collectionId: r.collection_id,
      subjectKind: r.subject_kind === 'user' ? 'user' : 'org',
      subjectId: r.subject_id,
      canRead: Boolean(r.can_read),
      canWrite: Boolean(r.can_write),
    }))
  }

  async createStatus(s: StatusRecord): Promise<void> {
    await this.run(`creating status ${s.id}`, () =>
      this.db.insertInto('statuses').values(statusRow(s)).execute(),
    )
  }

  async updateStatus(s: StatusRecord): Promise<void> {
    const { id: _id, ...changes } = statusRow(s)
    const result = await this.run(`updating status ${s.id}`, () =>
      this.db.updateTable('statuses').set(changes).where('id', '=', s.id).executeTakeFirst(),
    )
    if (result.numUpdatedRows === 0n) {
      throw new AppError('STORE_NOT_FOUND', { detail: `status ${s.id} does not exist` })
    }
  }

  async getStatus(id: string): Promise<StatusRecord | undefined> {
    const row = await this.run(`reading status ${id}`, () =>
      this.db.selectFrom('statuses').selectAll().where('id', '=', id).executeTakeFirst(),
    )
    return row && toStatus(row)
  }

  async purgeStatuses(now: string): Promise<number> {
    const result = await this.run('purging statuses', () =>
      this.db
        .deleteFrom('statuses')
        .where('expires_key', '<', versionKeyOf(now))
        .executeTakeFirst(),
    )
    return Number(result.numDeletedRows)
  }
}

function toOrganisation(r: RecordTables['organisations']): Organisation {
  return { id: r.id, name: r.name, identityId: r.identity_id, createdAt: r.created_at }
}

function toUser(r: RecordTables['users']): User {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    role: roles.find((role) => role === r.role) ?? 'reader',
    passwordHash: r.password_hash,
    disabled: Boolean(r.disabled),
    createdAt: r.created_at,
  }
}

function toApiKey(r: RecordTables['api_keys']): ApiKey {
  return {
    id: r.id,
    userId: r.user_id,
    prefix: r.prefix,
    keyHash: r.key_hash,
    label: r.label,
    revoked: Boolean(r.revoked),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  }
}

function toApiRoot(r: RecordTables['api_roots']): ApiRoot {
  return {
    id: r.id,
    path: r.path,
    title: r.title,
    description: r.description,
    maxContentLength: Number(r.max_content_length),
    createdAt: r.created_at,
  }
}

function toCollection(r: RecordTables['collections']): Collection {
  return {
    id: r.id,
    apiRootId: r.api_root_id,
    alias: r.alias,
    title: r.title,
    description: r.description,
    mediaTypes: parseStringArray(r.media_types),
    defaultDistribution: parseDistribution(r.default_distribution),
    createdAt: r.created_at,
  }
}

function parseDistribution(text: string): Distribution {
  const value = JSON.parse(text) as Partial<Distribution> | null
  const scope = value?.scope
  return {
    scope:
      scope === 'groups' || scope === 'community' || scope === 'federation'
        ? scope
        : 'organisation',
    groups: Array.isArray(value?.groups) ? value.groups.filter((g) => typeof g === 'string') : [],
    recipients: Array.isArray(value?.recipients)
      ? value.recipients.filter((g) => typeof g === 'string')
      : [],
  }
}

function statusRow(s: StatusRecord): RecordTables['statuses'] {
  return {
    id: s.id,
    api_root_id: s.apiRootId,
    owner_user_id: s.ownerUserId,
    status: s.status,
    request_timestamp: s.requestTimestamp,
    total_count: s.totalCount,
    successes: JSON.stringify(s.successes),
    failures: JSON.stringify(s.failures),
    pendings: JSON.stringify(s.pendings),
    expires_at: s.expiresAt,
    expires_key: versionKeyOf(s.expiresAt),
  }
}

function parseDetails(text: string): StatusDetail[] {
  const value: unknown = JSON.parse(text)
  if (!Array.isArray(value)) return []
  return value.flatMap((d: unknown): StatusDetail[] => {
    if (typeof d !== 'object' || d === null) return []
    const { id, version, message } = d as Record<string, unknown>
    if (typeof id !== 'string' || typeof version !== 'string') return []
    return [typeof message === 'string' ? { id, version, message } : { id, version }]
  })
}

function toStatus(r: RecordTables['statuses']): StatusRecord {
  return {
    id: r.id,
    apiRootId: r.api_root_id,
    ownerUserId: r.owner_user_id,
    status: r.status === 'pending' ? 'pending' : 'complete',
    requestTimestamp: r.request_timestamp,
    totalCount: Number(r.total_count),
    successes: parseDetails(r.successes),
    failures: parseDetails(r.failures),
    pendings: parseDetails(r.pendings),
    expiresAt: r.expires_at,
  }
}
