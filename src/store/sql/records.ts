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
  DistributionScope,
  Organisation,
  OrganisationSharing,
  Role,
  SharingCeiling,
  SharingGroup,
  StatusDetail,
  StatusRecord,
  TlpLevel,
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
  organisations: {
    id: string
    name: string
    identity_id: string
    created_at: string
    /** JSON of `OrganisationSharing`; '{}' (the column default) reads as the defaults. */
    sharing: string
  }
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
    peer_id: string | null
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
    public: Bool
  }
  collection_grants: {
    collection_id: string
    subject_kind: string
    subject_id: string
    can_read: Bool
    can_write: Bool
  }
  sharing_groups: {
    id: string
    name: string
    owner_org_id: string
    description: string
    created_at: string
  }
  sharing_group_members: { group_id: string; org_id: string }
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
export abstract class Records {
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

  /**
   * Runs compiled statements in one transaction (all or nothing) and returns each one's count
   * of affected rows. The adapter decides how: on SQLite a Kysely transaction would span
   * awaits, and the adapter's own synchronous writes could land inside it.
   */
  protected abstract atomically(what: string, queries: readonly CompiledQuery[]): Promise<number[]>

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
          sharing: '{}',
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

  async setUserRole(id: string, role: Role): Promise<boolean> {
    const result = await this.run(`updating user ${id}`, () =>
      this.db.updateTable('users').set({ role }).where('id', '=', id).executeTakeFirst(),
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
          peer_id: key.peerId,
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
          public: this.bool(c.public),
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

  async updateCollection(
    id: string,
    changes: Partial<Pick<Collection, 'title' | 'description' | 'defaultDistribution' | 'public'>>,
  ): Promise<boolean> {
    const set: Partial<RecordTables['collections']> = {}
    if (changes.title !== undefined) set.title = changes.title
    if (changes.description !== undefined) set.description = changes.description
    if (changes.defaultDistribution !== undefined) {
      set.default_distribution = JSON.stringify(changes.defaultDistribution)
    }
    if (changes.public !== undefined) set.public = this.bool(changes.public)
    return this.run(`updating collection ${id}`, async () => {
      if (Object.keys(set).length === 0) {
        const row = await this.db
          .selectFrom('collections')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst()
        return row !== undefined
      }
      const result = await this.db
        .updateTable('collections')
        .set(set)
        .where('id', '=', id)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    })
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

  async deleteCollectionGrant(
    collectionId: string,
    subjectKind: CollectionGrant['subjectKind'],
    subjectId: string,
  ): Promise<boolean> {
    const result = await this.run(`revoking the grant on collection ${collectionId}`, () =>
      this.db
        .deleteFrom('collection_grants')
        .where('collection_id', '=', collectionId)
        .where('subject_kind', '=', subjectKind)
        .where('subject_id', '=', subjectId)
        .executeTakeFirst(),
    )
    return result.numDeletedRows > 0n
  }

  async createSharingGroup(group: SharingGroup): Promise<void> {
    const queries = [
      this.db
        .insertInto('sharing_groups')
        .values({
          id: group.id,
          name: group.name,
          owner_org_id: group.ownerOrgId,
          description: group.description,
          created_at: group.createdAt,
        })
        .compile(),
    ]
    const members = [...new Set(group.members)]
    if (members.length) {
      queries.push(
        this.db
          .insertInto('sharing_group_members')
          .values(members.map((orgId) => ({ group_id: group.id, org_id: orgId })))
          .compile(),
      )
    }
    const what = `creating sharing group ${group.name}`
    await this.run(what, () => this.atomically(what, queries))
  }

  async getSharingGroup(id: string): Promise<SharingGroup | undefined> {
    const [group] = await this.run(`reading sharing group ${id}`, async () =>
      this.withMembers(
        await this.db.selectFrom('sharing_groups').selectAll().where('id', '=', id).execute(),
      ),
    )
    return group
  }

  async getSharingGroupByName(name: string): Promise<SharingGroup | undefined> {
    const [group] = await this.run(`reading sharing group ${name}`, async () =>
      this.withMembers(
        await this.db.selectFrom('sharing_groups').selectAll().where('name', '=', name).execute(),
      ),
    )
    return group
  }

  async listSharingGroups(orgId?: string): Promise<SharingGroup[]> {
    return this.run('listing sharing groups', async () => {
      let q = this.db.selectFrom('sharing_groups').selectAll()
      if (orgId !== undefined) {
        q = q.where((eb) =>
          eb.or([
            eb('owner_org_id', '=', orgId),
            eb(
              'id',
              'in',
              eb.selectFrom('sharing_group_members').select('group_id').where('org_id', '=', orgId),
            ),
          ]),
        )
      }
      return this.withMembers(await q.orderBy('name').orderBy('id').execute())
    })
  }

  async groupIdsOfOrganisation(orgId: string): Promise<string[]> {
    const rows = await this.run(`reading the sharing groups of organisation ${orgId}`, () =>
      this.reuse(
        'groupIdsOfOrganisation',
        () =>
          this.db
            .selectFrom('sharing_group_members')
            .select('group_id')
            .where('org_id', '=', orgId)
            .orderBy('group_id'),
        [orgId],
      ),
    )
    return rows.map((r) => r.group_id)
  }

  async updateSharingGroup(id: string, changes: { description?: string }): Promise<boolean> {
    return this.run(`updating sharing group ${id}`, async () => {
      if (changes.description === undefined) {
        const row = await this.db
          .selectFrom('sharing_groups')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst()
        return row !== undefined
      }
      const result = await this.db
        .updateTable('sharing_groups')
        .set({ description: changes.description })
        .where('id', '=', id)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    })
  }

  async addSharingGroupMember(groupId: string, orgId: string): Promise<boolean> {
    return this.run(`adding organisation ${orgId} to sharing group ${groupId}`, async () => {
      const group = await this.db
        .selectFrom('sharing_groups')
        .select('id')
        .where('id', '=', groupId)
        .executeTakeFirst()
      if (group === undefined) {
        throw new AppError('STORE_NOT_FOUND', {
          detail: `sharing group ${groupId} does not exist`,
          details: { groupId },
        })
      }
      // An unknown organisation fails the foreign key (STORE_NOT_FOUND through mapError).
      const result = await this.db
        .insertInto('sharing_group_members')
        .values({ group_id: groupId, org_id: orgId })
        .onConflict((oc) => oc.columns(['group_id', 'org_id']).doNothing())
        .executeTakeFirst()
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n
    })
  }

  async removeSharingGroupMember(groupId: string, orgId: string): Promise<boolean> {
    const result = await this.run(
      `removing organisation ${orgId} from sharing group ${groupId}`,
      () =>
        this.db
          .deleteFrom('sharing_group_members')
          .where('group_id', '=', groupId)
          .where('org_id', '=', orgId)
          .executeTakeFirst(),
    )
    return result.numDeletedRows > 0n
  }

  async deleteSharingGroup(id: string): Promise<boolean> {
    const what = `deleting sharing group ${id}`
    const counts = await this.run(what, () =>
      // Members first, in the same transaction: ON DELETE CASCADE needs SQLite's foreign_keys
      // pragma, which a database opened by another tool may lack.
      this.atomically(what, [
        this.db.deleteFrom('sharing_group_members').where('group_id', '=', id).compile(),
        this.db.deleteFrom('sharing_groups').where('id', '=', id).compile(),
      ]),
    )
    return (counts[1] ?? 0) > 0
  }

  async getOrganisationSharing(orgId: string): Promise<OrganisationSharing> {
    const row = await this.run(`reading the sharing settings of organisation ${orgId}`, () =>
      this.db
        .selectFrom('organisations')
        .select('sharing')
        .where('id', '=', orgId)
        .executeTakeFirst(),
    )
    return parseOrganisationSharing(row?.sharing)
  }

  async setOrganisationSharing(orgId: string, sharing: OrganisationSharing): Promise<void> {
    const result = await this.run(`writing the sharing settings of organisation ${orgId}`, () =>
      this.db
        .updateTable('organisations')
        .set({ sharing: JSON.stringify(sharing) })
        .where('id', '=', orgId)
        .executeTakeFirst(),
    )
    if (result.numUpdatedRows === 0n) {
      throw new AppError('STORE_NOT_FOUND', {
        detail: `organisation ${orgId} does not exist`,
        details: { orgId },
      })
    }
  }

  /** Groups with their members (one query for the members of all of them). */
  private async withMembers(rows: RecordTables['sharing_groups'][]): Promise<SharingGroup[]> {
    if (!rows.length) return []
    const members = await this.db
      .selectFrom('sharing_group_members')
      .select(['group_id', 'org_id'])
      .where(
        'group_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('group_id')
      .orderBy('org_id')
      .execute()
    const byGroup = new Map<string, string[]>()
    for (const m of members) {
      let list = byGroup.get(m.group_id)
      if (!list) byGroup.set(m.group_id, (list = []))
      list.push(m.org_id)
    }
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      ownerOrgId: r.owner_org_id,
      description: r.description,
      members: byGroup.get(r.id) ?? [],
      createdAt: r.created_at,
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
    peerId: r.peer_id,
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
    public: Boolean(r.public),
    createdAt: r.created_at,
  }
}

function parseDistribution(text: string): Distribution {
  return distributionOf(JSON.parse(text))
}

/** A distribution from parsed JSON; an unknown scope narrows to `organisation`. */
function distributionOf(parsed: unknown): Distribution {
  const value = isRecord(parsed) ? parsed : {}
  const { scope, groups, recipients } = value
  return {
    scope: isScope(scope) ? scope : 'organisation',
    groups: Array.isArray(groups) ? groups.filter((g) => typeof g === 'string') : [],
    recipients: Array.isArray(recipients) ? recipients.filter((g) => typeof g === 'string') : [],
  }
}

const scopeNames: readonly DistributionScope[] = [
  'organisation',
  'groups',
  'community',
  'federation',
]
const tlpNames: readonly TlpLevel[] = ['clear', 'green', 'amber', 'amber+strict', 'red']

function isScope(value: unknown): value is DistributionScope {
  return scopeNames.some((s) => s === value)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function ceilingOf(value: unknown): SharingCeiling | undefined {
  if (!isRecord(value)) return undefined
  const ceiling: SharingCeiling = {}
  const tlp = tlpNames.find((t) => t === value['tlp'])
  if (tlp !== undefined) ceiling.tlp = tlp
  const scope = value['scope']
  if (isScope(scope)) ceiling.scope = scope
  return ceiling
}

/**
 * An organisation's sharing settings from the stored JSON, read defensively: a missing or
 * unreadable field takes its default (no default distribution, not anonymous, no ceilings).
 */
export function parseOrganisationSharing(text: string | undefined): OrganisationSharing {
  let parsed: unknown
  try {
    parsed = text === undefined ? {} : JSON.parse(text)
  } catch {
    parsed = {}
  }
  const value = isRecord(parsed) ? parsed : {}
  const ceilings = isRecord(value['ceilings']) ? value['ceilings'] : {}
  const roleCeilings: OrganisationSharing['ceilings']['roles'] = {}
  const rolesValue = ceilings['roles']
  if (isRecord(rolesValue)) {
    for (const role of roles) {
      const ceiling = ceilingOf(rolesValue[role])
      if (ceiling !== undefined) roleCeilings[role] = ceiling
    }
  }
  const userCeilings: OrganisationSharing['ceilings']['users'] = {}
  const usersValue = ceilings['users']
  if (isRecord(usersValue)) {
    for (const [userId, raw] of Object.entries(usersValue)) {
      const ceiling = ceilingOf(raw)
      if (ceiling !== undefined) userCeilings[userId] = ceiling
    }
  }
  const distribution = value['defaultDistribution']
  return {
    defaultDistribution: isRecord(distribution) ? distributionOf(distribution) : null,
    anonymousByDefault: value['anonymousByDefault'] === true,
    ceilings: { roles: roleCeilings, users: userCeilings },
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
