/**
 * The administration service: organisations, users, API keys, API roots, collections and
 * grants. Every rule (name syntax, password policy, hashing, uniqueness) lives here and not in
 * a command. `AdminService` does the work unchecked (bootstrap, tests); `AuthorisedAdmin` is
 * what the CLI and the admin API call: it checks the actor's role first and audits the change.
 */
import { randomUUID } from 'node:crypto'
import {
  AuditLog,
  toAuditEntry,
  type AuditAction,
  type AuditEntry,
  type AuditEvent,
  type AuditListFilter,
  type AuditVerification,
  type JsonValue,
} from '../audit/audit-log.js'
import { AppError } from '../errors.js'
import { readNodeOrgId, viewerOf } from '../sharing/viewer.js'
import type {
  ApiKey,
  ApiRoot,
  Collection,
  CollectionGrant,
  Distribution,
  DistributionScope,
  Organisation,
  Role,
  Store,
  User,
} from '../store/store.js'
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key.js'
import type { Principal } from './principal.js'
import {
  defaultScryptParams,
  generatePassword,
  hashPassword,
  passwordProblem,
  type ScryptParams,
} from './password.js'

export const roles: readonly Role[] = ['admin', 'analyst', 'reader']
export const distributionScopes: readonly DistributionScope[] = [
  'organisation',
  'groups',
  'community',
  'federation',
]

/** The media type every collection accepts unless told otherwise (TAXII 2.1 section 5.2). */
export const stixMediaType = 'application/stix+json;version=2.1'

/** Default `max_content_length` of a new API root: 10 MiB. */
export const defaultMaxContentLength = 10 * 1024 * 1024

export interface AdminServiceOptions {
  now?: () => Date
  /** scrypt cost for new password hashes (tests lower it). */
  scryptParams?: ScryptParams
}

export interface NewUser {
  name: string
  /** Organisation name or id. */
  org: string
  role: Role
  /** Omitted or null: a user that can only authenticate with API keys. */
  password?: string | null
}

export interface NewApiRoot {
  path: string
  title: string
  description?: string | null
  maxContentLength?: number
}

export interface NewCollection {
  alias: string
  title: string
  description?: string | null
  /** The API root's path (`api1`) or id. */
  apiRoot: string
  mediaTypes?: string[]
  defaultDistribution?: Distribution
  /** Open to unauthenticated readers (default false). */
  public?: boolean
}

export interface GrantRequest {
  /** Collection alias or id. */
  collection: string
  /** Exactly one of `org` (name or id) and `user` (name or id). */
  org?: string
  user?: string
  canRead: boolean
  canWrite: boolean
}

export interface CollectionListing {
  collection: Collection
  apiRootPath: string
  grants: (CollectionGrant & { subjectName: string })[]
}

/** API root paths that would clash with other endpoints of the node. */
const reservedRootPaths: ReadonlySet<string> = new Set(['taxii2', 'api'])

const userNamePattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/
const aliasPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const identityIdPattern = /^identity--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function invalid(detail: string): AppError {
  return new AppError('ADMIN_INVALID_INPUT', { detail })
}

function notFound(detail: string): AppError {
  return new AppError('STORE_NOT_FOUND', { detail })
}

function conflict(detail: string): AppError {
  return new AppError('STORE_CONFLICT', { detail })
}

/** Organisations, users, keys, collections and grants, validated and stored. */
export class AdminService {
  readonly #store: Store
  readonly #now: () => Date
  readonly #scryptParams: ScryptParams

  constructor(store: Store, options: AdminServiceOptions = {}) {
    this.#store = store
    this.#now = options.now ?? (() => new Date())
    this.#scryptParams = options.scryptParams ?? defaultScryptParams
  }

  #timestamp(): string {
    return this.#now().toISOString()
  }

  async addOrganisation(
    name: string,
    options: { identityId?: string } = {},
  ): Promise<Organisation> {
    const trimmed = name.trim()
    if (trimmed === '' || trimmed.length > 200) {
      throw invalid('an organisation name must have 1 to 200 characters')
    }
    if (options.identityId !== undefined && !identityIdPattern.test(options.identityId)) {
      throw invalid(`"${options.identityId}" is not an identity id (identity--<uuid>)`)
    }
    if (await this.#store.getOrganisationByName(trimmed)) {
      throw conflict(`organisation "${trimmed}" already exists`)
    }
    const org: Organisation = {
      id: randomUUID(),
      name: trimmed,
      identityId: options.identityId ?? `identity--${randomUUID()}`,
      createdAt: this.#timestamp(),
    }
    await this.#store.createOrganisation(org)
    return org
  }

  listOrganisations(): Promise<Organisation[]> {
    return this.#store.listOrganisations()
  }

  /** Finds an organisation by name, else by id; throws STORE_NOT_FOUND naming `ref`. */
  async findOrganisation(ref: string): Promise<Organisation> {
    const org =
      (await this.#store.getOrganisationByName(ref)) ??
      (uuidPattern.test(ref) ? await this.#store.getOrganisation(ref) : undefined)
    if (!org) throw notFound(`no organisation named "${ref}"`)
    return org
  }

  async addUser(input: NewUser): Promise<User> {
    if (!userNamePattern.test(input.name)) {
      throw invalid(
        `user name "${input.name}" must be 1 to 64 letters, digits or . _ @ -, starting with a letter or digit`,
      )
    }
    if (!roles.includes(input.role)) {
      throw invalid(`role "${String(input.role)}" is not one of ${roles.join(', ')}`)
    }
    const org = await this.findOrganisation(input.org)
    if (await this.#store.getUserByName(input.name)) {
      throw conflict(`user "${input.name}" already exists`)
    }
    let passwordHash: string | null = null
    if (input.password !== undefined && input.password !== null) {
      const problem = passwordProblem(input.password)
      if (problem) throw invalid(problem)
      passwordHash = await hashPassword(input.password, this.#scryptParams)
    }
    const user: User = {
      id: randomUUID(),
      orgId: org.id,
      name: input.name,
      role: input.role,
      passwordHash,
      disabled: false,
      createdAt: this.#timestamp(),
    }
    await this.#store.createUser(user)
    return user
  }

  /** Finds a user by name, else by id; throws STORE_NOT_FOUND naming `ref`. */
  async findUser(ref: string): Promise<User> {
    const user =
      (await this.#store.getUserByName(ref)) ??
      (uuidPattern.test(ref) ? await this.#store.getUser(ref) : undefined)
    if (!user) throw notFound(`no user named "${ref}"`)
    return user
  }

  async listUsers(org?: string): Promise<User[]> {
    if (org === undefined) return this.#store.listUsers()
    return this.#store.listUsers((await this.findOrganisation(org)).id)
  }

  async setUserDisabled(ref: string, disabled: boolean): Promise<User> {
    const user = await this.findUser(ref)
    await this.#store.setUserDisabled(user.id, disabled)
    return { ...user, disabled }
  }

  async setUserRole(ref: string, role: Role): Promise<User> {
    if (!roles.includes(role)) {
      throw invalid(`role "${String(role)}" is not one of ${roles.join(', ')}`)
    }
    const user = await this.findUser(ref)
    await this.#store.setUserRole(user.id, role)
    return { ...user, role }
  }

  async setPassword(ref: string, password: string): Promise<void> {
    const problem = passwordProblem(password)
    if (problem) throw invalid(problem)
    const user = await this.findUser(ref)
    await this.#store.setUserPassword(user.id, await hashPassword(password, this.#scryptParams))
  }

  /**
   * Creates an API key for a user; `key` is the secret, to be shown once and never again. With
   * `peerId`, the key belongs to that peer node (issue 6).
   */
  async createApiKey(
    userRef: string,
    label = '',
    options: { peerId?: string } = {},
  ): Promise<{ apiKey: ApiKey; key: string }> {
    if (label.length > 200) throw invalid('a key label must have at most 200 characters')
    const user = await this.findUser(userRef)
    // The prefix is 32 random bits: a clash is rare but must not make a key unfindable.
    for (let attempt = 0; attempt < 5; attempt++) {
      const generated = generateApiKey()
      if (await this.#store.getApiKeyByPrefix(generated.prefix)) continue
      const apiKey: ApiKey = {
        id: randomUUID(),
        userId: user.id,
        prefix: generated.prefix,
        keyHash: generated.keyHash,
        label,
        revoked: false,
        createdAt: this.#timestamp(),
        lastUsedAt: null,
        peerId: options.peerId ?? null,
      }
      await this.#store.createApiKey(apiKey)
      return { apiKey, key: generated.key }
    }
    throw new AppError('STORE_CONFLICT', { detail: 'could not find a free API key prefix' })
  }

  /** Finds a key by its prefix, its id or the whole key; throws STORE_NOT_FOUND naming `ref`. */
  async findApiKey(ref: string): Promise<ApiKey> {
    const prefix = apiKeyPrefix(ref) ?? (/^[0-9a-f]{8}$/.test(ref) ? ref : undefined)
    let apiKey: ApiKey | undefined
    if (prefix !== undefined) {
      apiKey = await this.#store.getApiKeyByPrefix(prefix)
      if (apiKey && ref.length > prefix.length && apiKey.keyHash !== hashApiKey(ref)) {
        apiKey = undefined
      }
    } else if (uuidPattern.test(ref)) {
      apiKey = (await this.#store.listApiKeys()).find((k) => k.id === ref)
    }
    if (!apiKey) throw notFound(`no API key "${ref}" (give its prefix, id or the whole key)`)
    return apiKey
  }

  /** Revokes a key named by its prefix, its id or the whole key. */
  async revokeApiKey(ref: string): Promise<ApiKey> {
    const apiKey = await this.findApiKey(ref)
    await this.#store.revokeApiKey(apiKey.id)
    return { ...apiKey, revoked: true }
  }

  async listApiKeys(userRef?: string): Promise<ApiKey[]> {
    if (userRef === undefined) return this.#store.listApiKeys()
    return this.#store.listApiKeys((await this.findUser(userRef)).id)
  }

  async addApiRoot(input: NewApiRoot): Promise<ApiRoot> {
    // `taxii2` is the discovery endpoint and `api` holds the admin API (`/api/v1/`).
    if (!aliasPattern.test(input.path) || reservedRootPaths.has(input.path.toLowerCase())) {
      throw invalid(
        `API root path "${input.path}" must be 1 to 64 letters, digits, _ or -, and not "taxii2" or "api" (reserved)`,
      )
    }
    const maxContentLength = input.maxContentLength ?? defaultMaxContentLength
    if (!Number.isSafeInteger(maxContentLength) || maxContentLength < 1024) {
      throw invalid('max_content_length must be a whole number of bytes, at least 1024')
    }
    if (await this.#store.getApiRootByPath(input.path)) {
      throw conflict(`API root /${input.path}/ already exists`)
    }
    const root: ApiRoot = {
      id: randomUUID(),
      path: input.path,
      title: input.title.trim() || input.path,
      description: input.description ?? null,
      maxContentLength,
      createdAt: this.#timestamp(),
    }
    await this.#store.createApiRoot(root)
    return root
  }

  listApiRoots(): Promise<ApiRoot[]> {
    return this.#store.listApiRoots()
  }

  async findApiRoot(ref: string): Promise<ApiRoot> {
    const path = ref.replace(/^\/+|\/+$/g, '')
    const root =
      (await this.#store.getApiRootByPath(path)) ??
      (await this.#store.listApiRoots()).find((r) => r.id === ref)
    if (!root) throw notFound(`no API root "${ref}"`)
    return root
  }

  async addCollection(input: NewCollection): Promise<Collection> {
    if (!aliasPattern.test(input.alias)) {
      throw invalid(
        `collection alias "${input.alias}" must be 1 to 64 letters, digits, _ or -, starting with a letter or digit`,
      )
    }
    const mediaTypes = input.mediaTypes ?? [stixMediaType]
    if (mediaTypes.length === 0 || mediaTypes.some((m) => !/^[\w.+-]+\/[\w.+-]+(;.*)?$/.test(m))) {
      throw invalid(`media types ${JSON.stringify(mediaTypes)} are not all media types`)
    }
    const distribution = input.defaultDistribution ?? {
      scope: 'community',
      groups: [],
      recipients: [],
    }
    if (!distributionScopes.includes(distribution.scope)) {
      throw invalid(
        `distribution "${String(distribution.scope)}" is not one of ${distributionScopes.join(', ')}`,
      )
    }
    const root = await this.findApiRoot(input.apiRoot)
    if (await this.#store.getCollectionByAlias(input.alias)) {
      throw conflict(`collection "${input.alias}" already exists`)
    }
    const collection: Collection = {
      id: randomUUID(),
      apiRootId: root.id,
      alias: input.alias,
      title: input.title.trim() || input.alias,
      description: input.description ?? null,
      mediaTypes,
      defaultDistribution: distribution,
      public: input.public ?? false,
      createdAt: this.#timestamp(),
    }
    await this.#store.createCollection(collection)
    return collection
  }

  async findCollection(ref: string): Promise<Collection> {
    const collection =
      (await this.#store.getCollectionByAlias(ref)) ??
      (uuidPattern.test(ref) ? await this.#store.getCollection(ref) : undefined)
    if (!collection) throw notFound(`no collection "${ref}"`)
    return collection
  }

  async listCollections(): Promise<CollectionListing[]> {
    const [collections, roots, grants, orgs, users] = await Promise.all([
      this.#store.listCollections(),
      this.#store.listApiRoots(),
      this.#store.listCollectionGrants(),
      this.#store.listOrganisations(),
      this.#store.listUsers(),
    ])
    const rootPath = new Map(roots.map((r) => [r.id, r.path]))
    const names = new Map<string, string>([
      ...orgs.map((o): [string, string] => [`org:${o.id}`, o.name]),
      ...users.map((u): [string, string] => [`user:${u.id}`, u.name]),
    ])
    return collections.map((collection) => ({
      collection,
      apiRootPath: rootPath.get(collection.apiRootId) ?? '?',
      grants: grants
        .filter((g) => g.collectionId === collection.id)
        .map((g) => ({
          ...g,
          subjectName: names.get(`${g.subjectKind}:${g.subjectId}`) ?? g.subjectId,
        })),
    }))
  }

  /** Sets (replaces) the read/write grant of an organisation or a user on a collection. */
  async grant(request: GrantRequest): Promise<CollectionGrant> {
    if ((request.org === undefined) === (request.user === undefined)) {
      throw invalid('a grant names exactly one organisation or one user')
    }
    const collection = await this.findCollection(request.collection)
    const grant: CollectionGrant =
      request.org !== undefined
        ? {
            collectionId: collection.id,
            subjectKind: 'org',
            subjectId: (await this.findOrganisation(request.org)).id,
            canRead: request.canRead,
            canWrite: request.canWrite,
          }
        : {
            collectionId: collection.id,
            subjectKind: 'user',
            subjectId: (await this.findUser(request.user ?? '')).id,
            canRead: request.canRead,
            canWrite: request.canWrite,
          }
    await this.#store.setCollectionGrant(grant)
    return grant
  }
}

/**
 * Who asks for an administration read or change. The local command line is `system`: whoever
 * runs it holds the database, so it may do everything, and its changes are audited as the
 * node's own. An HTTP caller is a principal, a node admin when it is an admin of the node's own
 * organisation.
 */
export type AdminActor =
  { kind: 'system'; id: string } | { kind: 'principal'; principal: Principal; isNodeAdmin: boolean }

/** The actor of `intelmesh` commands run on the node's machine. */
export const localCliActor: AdminActor = { kind: 'system', id: 'cli' }

/** The actor for an authenticated request (node admin status read from the store now). */
export async function adminActorOf(store: Store, principal: Principal): Promise<AdminActor> {
  const viewer = viewerOf(principal, await readNodeOrgId(store))
  return {
    kind: 'principal',
    principal,
    isNodeAdmin: viewer.kind === 'user' && viewer.isNodeAdmin,
  }
}

function forbidden(detail: string): AppError {
  return new AppError('ADMIN_FORBIDDEN', { detail })
}

/** A change to record in the audit log. */
export interface AdminChange {
  action: Extract<AuditAction, 'admin-change' | 'share-change'>
  /** What changed, e.g. `user.disable` (kept in the entry's details as `change`). */
  change: string
  /** Ids of the organisations, users, keys, groups... concerned. */
  objectIds: readonly string[]
  collectionId?: string
  /** What changed, never a secret. */
  details?: { [key: string]: JsonValue }
}

/**
 * The role checks and the audit trail every administration service shares. Node admins (and
 * the local CLI) may do everything; an organisation admin manages its own organisation; other
 * principals manage nothing but their own account's keys. Refusals of changes are audited as
 * `denied` before the 403 is thrown.
 */
export class AdminGuard {
  readonly actor: AdminActor
  readonly #audit: AuditLog

  constructor(store: Store, actor: AdminActor, options: { clock?: () => number } = {}) {
    this.actor = actor
    this.#audit = new AuditLog(store, options.clock ? { now: options.clock } : {})
  }

  /** The audit log this guard writes to. */
  get auditLog(): AuditLog {
    return this.#audit
  }

  /** The local CLI, or an admin of the node's own organisation. */
  get isNodeAdmin(): boolean {
    return this.actor.kind === 'system' || this.actor.isNodeAdmin
  }

  /** The principal, when the actor is one. */
  get principal(): Principal | undefined {
    return this.actor.kind === 'principal' ? this.actor.principal : undefined
  }

  /** The principal's organisation, when the actor is a principal. */
  get ownOrgId(): string | undefined {
    return this.principal?.orgId
  }

  /** True when the actor is the user `userId` acting for themselves (not as a peer). */
  isSelf(userId: string): boolean {
    const principal = this.principal
    return principal !== undefined && principal.peerId === undefined && principal.userId === userId
  }

  /** True for node admins and for the admins of `orgId` (a peer's key is never an admin). */
  isOrgAdmin(orgId: string): boolean {
    if (this.isNodeAdmin) return true
    const principal = this.principal
    return (
      principal !== undefined &&
      principal.peerId === undefined &&
      principal.role === 'admin' &&
      principal.orgId === orgId
    )
  }

  /** The audit actor of this guard's actor. */
  auditActor(): AuditEvent['actor'] {
    const actor = this.actor
    if (actor.kind === 'system') return { kind: 'system', id: actor.id }
    const { principal } = actor
    if (principal.peerId !== undefined) return { kind: 'peer', id: principal.peerId }
    if (principal.keyId !== undefined) return { kind: 'key', id: principal.keyId }
    return { kind: 'user', id: principal.userId }
  }

  /** Throws ADMIN_FORBIDDEN unless the actor is a node admin; audits a refused change. */
  async requireNodeAdmin(what: string, refused?: AdminChange): Promise<void> {
    if (this.isNodeAdmin) return
    await this.deny(`only node admins may ${what}`, refused)
  }

  /** Throws ADMIN_FORBIDDEN unless the actor administers `orgId`; audits a refused change. */
  async requireOrgAdmin(
    orgId: string,
    orgName: string,
    what: string,
    refused?: AdminChange,
  ): Promise<void> {
    if (this.isOrgAdmin(orgId)) return
    await this.deny(`only admins of organisation "${orgName}" or node admins may ${what}`, refused)
  }

  /** Records the refused change (when given) and throws ADMIN_FORBIDDEN with `detail`. */
  async deny(detail: string, refused?: AdminChange): Promise<never> {
    if (refused !== undefined) await this.#append(refused, 'denied')
    throw forbidden(detail)
  }

  /** Appends a successful change to the audit log. */
  async record(change: AdminChange): Promise<void> {
    await this.#append(change, 'success')
  }

  async #append(change: AdminChange, outcome: 'success' | 'denied'): Promise<void> {
    const principal = this.principal
    await this.#audit.append({
      actor: this.auditActor(),
      action: change.action,
      objectIds: change.objectIds,
      collectionId: change.collectionId ?? null,
      outcome,
      details: {
        change: change.change,
        ...(principal !== undefined ? { by: principal.userName } : {}),
        ...(change.details ?? {}),
      },
    })
  }
}

/** A user as the administration services show it: never the password hash. */
export interface UserView {
  id: string
  name: string
  orgId: string
  orgName: string
  role: Role
  hasPassword: boolean
  disabled: boolean
  createdAt: string
}

/** An API key as shown: never its hash (and the secret only once, at creation). */
export interface ApiKeyView {
  id: string
  prefix: string
  userId: string
  userName: string
  label: string
  revoked: boolean
  createdAt: string
  lastUsedAt: string | null
  peerId: string | null
}

export interface NewUserRequest {
  name: string
  /** Organisation name or id; default: the actor's own organisation. */
  org?: string | undefined
  role: Role
  /** A password; `null` for a key-only user; absent: one is generated and returned once. */
  password?: string | null | undefined
}

export interface GrantRemoval {
  collection: string
  org?: string | undefined
  user?: string | undefined
}

/** What the account operations return: the view, plus a generated secret shown once. */
export interface WithSecret<T> {
  value: T
  /** A generated password or a new API key, to show once. */
  secret?: string
}

/**
 * The administration operations as one actor: the role checks of {@link AdminGuard}, then
 * {@link AdminService}, then an audit entry (`admin-change`). The CLI (as {@link localCliActor})
 * and the admin API (as the request's principal) both call this, so the rules are the same.
 */
export class AuthorisedAdmin {
  readonly admin: AdminService
  readonly guard: AdminGuard
  readonly #store: Store

  constructor(
    store: Store,
    actor: AdminActor,
    options: AdminServiceOptions & { clock?: () => number } = {},
  ) {
    this.#store = store
    this.admin = new AdminService(store, options)
    this.guard = new AdminGuard(store, actor, options.clock ? { clock: options.clock } : {})
  }

  async #userViews(users: readonly User[]): Promise<UserView[]> {
    const names = new Map((await this.#store.listOrganisations()).map((o) => [o.id, o.name]))
    return users.map((u) => userView(u, names.get(u.orgId) ?? u.orgId))
  }

  async #userView(user: User): Promise<UserView> {
    const [view] = await this.#userViews([user])
    if (view === undefined) throw new AppError('ADMIN_INTERNAL', { detail: 'no user view' })
    return view
  }

  async #keyViews(keys: readonly ApiKey[]): Promise<ApiKeyView[]> {
    const names = new Map((await this.#store.listUsers()).map((u) => [u.id, u.name]))
    return keys.map((k) => keyView(k, names.get(k.userId) ?? k.userId))
  }

  /** The actor's own account (for `GET /me`). */
  async whoAmI(): Promise<{ user: UserView | null; isNodeAdmin: boolean; peerId: string | null }> {
    const principal = this.guard.principal
    if (principal === undefined) return { user: null, isNodeAdmin: true, peerId: null }
    const user = await this.admin.findUser(principal.userId)
    return {
      user: await this.#userView(user),
      isNodeAdmin: this.guard.isNodeAdmin,
      peerId: principal.peerId ?? null,
    }
  }

  // Organisations: names and ids are known to every member of the node (sharing needs them).

  listOrganisations(): Promise<Organisation[]> {
    return this.admin.listOrganisations()
  }

  getOrganisation(ref: string): Promise<Organisation> {
    return this.admin.findOrganisation(ref)
  }

  async createOrganisation(
    name: string,
    options: { identityId?: string } = {},
  ): Promise<Organisation> {
    await this.guard.requireNodeAdmin('add organisations', {
      action: 'admin-change',
      change: 'organisation.create',
      objectIds: [],
      details: { name },
    })
    const org = await this.admin.addOrganisation(name, options)
    await this.guard.record({
      action: 'admin-change',
      change: 'organisation.create',
      objectIds: [org.id],
      details: { name: org.name, identityId: org.identityId },
    })
    return org
  }

  // Users

  async listUsers(orgRef?: string): Promise<UserView[]> {
    if (this.guard.isNodeAdmin) return this.#userViews(await this.admin.listUsers(orgRef))
    const principal = this.guard.principal
    if (principal === undefined) return []
    if (this.guard.isOrgAdmin(principal.orgId)) {
      if (orgRef !== undefined) {
        const org = await this.admin.findOrganisation(orgRef)
        if (org.id !== principal.orgId) {
          throw forbidden('an organisation admin lists the users of its own organisation only')
        }
      }
      return this.#userViews(await this.#store.listUsers(principal.orgId))
    }
    if (orgRef !== undefined) {
      throw forbidden('only admins list the users of an organisation; ask GET /me for yourself')
    }
    return this.#userViews([await this.admin.findUser(principal.userId)])
  }

  async getUser(ref: string): Promise<UserView> {
    const user = await this.admin.findUser(ref)
    if (!this.guard.isSelf(user.id) && !this.guard.isOrgAdmin(user.orgId)) {
      throw forbidden(
        `only admins of the user's organisation or node admins may read user "${user.name}"`,
      )
    }
    return this.#userView(user)
  }

  async createUser(request: NewUserRequest): Promise<WithSecret<UserView>> {
    const orgRef = request.org ?? this.guard.ownOrgId
    if (orgRef === undefined) throw invalid('name the organisation of the new user')
    const org = await this.admin.findOrganisation(orgRef)
    await this.guard.requireOrgAdmin(org.id, org.name, 'add its users', {
      action: 'admin-change',
      change: 'user.create',
      objectIds: [org.id],
      details: { name: request.name, role: request.role },
    })
    const secret = request.password === undefined ? generatePassword() : undefined
    const user = await this.admin.addUser({
      name: request.name,
      org: org.id,
      role: request.role,
      password: secret ?? request.password ?? null,
    })
    await this.guard.record({
      action: 'admin-change',
      change: 'user.create',
      objectIds: [user.id, org.id],
      details: { name: user.name, role: user.role, hasPassword: user.passwordHash !== null },
    })
    const value = userView(user, org.name)
    return secret === undefined ? { value } : { value, secret }
  }

  async #managedUser(ref: string, change: string, what: string): Promise<User> {
    const user = await this.admin.findUser(ref)
    const org = await this.admin.findOrganisation(user.orgId)
    await this.guard.requireOrgAdmin(user.orgId, org.name, what, {
      action: 'admin-change',
      change,
      objectIds: [user.id],
      details: { name: user.name },
    })
    return user
  }

  async setUserDisabled(ref: string, disabled: boolean): Promise<UserView> {
    const change = disabled ? 'user.disable' : 'user.enable'
    const user = await this.#managedUser(
      ref,
      change,
      `${disabled ? 'disable' : 'enable'} its users`,
    )
    // An admin locking themselves out would need another admin (or the CLI) to undo it.
    if (disabled && this.guard.isSelf(user.id)) {
      throw invalid('you cannot disable your own account; ask another admin')
    }
    const changed = await this.admin.setUserDisabled(user.id, disabled)
    await this.guard.record({
      action: 'admin-change',
      change,
      objectIds: [user.id],
      details: { name: user.name },
    })
    return this.#userView(changed)
  }

  async setUserRole(ref: string, role: Role): Promise<UserView> {
    const user = await this.#managedUser(ref, 'user.set-role', 'change the roles of its users')
    // An organisation must not lose its last admin by a slip; another admin can do it.
    if (this.guard.isSelf(user.id) && role !== user.role) {
      throw invalid('you cannot change your own role; ask another admin')
    }
    const changed = await this.admin.setUserRole(user.id, role)
    await this.guard.record({
      action: 'admin-change',
      change: 'user.set-role',
      objectIds: [user.id],
      details: { name: user.name, from: user.role, to: role },
    })
    return this.#userView(changed)
  }

  /**
   * Sets a user's password (generated and returned once when `password` is absent): by the
   * organisation's admins, node admins, or the user themselves when signed in with their
   * password (an API key alone must not be enough to take over the password).
   */
  async resetPassword(ref: string, password?: string): Promise<WithSecret<UserView>> {
    const user = await this.admin.findUser(ref)
    const selfWithPassword = this.guard.isSelf(user.id) && this.guard.principal?.via === 'password'
    if (!selfWithPassword && !this.guard.isOrgAdmin(user.orgId)) {
      const org = await this.admin.findOrganisation(user.orgId)
      await this.guard.deny(
        this.guard.isSelf(user.id)
          ? 'to change your own password, sign in with your current password (HTTP Basic), not an API key'
          : `only admins of organisation "${org.name}" or node admins may reset the passwords of its users`,
        {
          action: 'admin-change',
          change: 'user.reset-password',
          objectIds: [user.id],
          details: { name: user.name },
        },
      )
    }
    const secret = password === undefined ? generatePassword() : undefined
    await this.admin.setPassword(user.id, secret ?? password ?? '')
    await this.guard.record({
      action: 'admin-change',
      change: 'user.reset-password',
      objectIds: [user.id],
      details: { name: user.name, generated: secret !== undefined },
    })
    const value = await this.#userView({ ...user, passwordHash: 'set' })
    return secret === undefined ? { value } : { value, secret }
  }

  // API keys: everyone may create and revoke their own.

  async createApiKey(
    request: {
      user?: string | undefined
      label?: string | undefined
      peerId?: string | undefined
    } = {},
  ): Promise<WithSecret<ApiKeyView> & { secret: string }> {
    const userRef = request.user ?? this.guard.principal?.userId
    if (userRef === undefined) throw invalid('name the user the key is for')
    const user = await this.admin.findUser(userRef)
    const refused: AdminChange = {
      action: 'admin-change',
      change: 'key.create',
      objectIds: [user.id],
      details: { user: user.name },
    }
    if (request.peerId !== undefined) {
      await this.guard.requireNodeAdmin('create API keys for peer nodes', refused)
    } else if (!this.guard.isSelf(user.id) && !this.guard.isOrgAdmin(user.orgId)) {
      await this.guard.deny(
        `only the user "${user.name}", admins of their organisation or node admins may create their API keys`,
        refused,
      )
    }
    const created = await this.admin.createApiKey(
      user.id,
      request.label ?? '',
      request.peerId !== undefined ? { peerId: request.peerId } : {},
    )
    await this.guard.record({
      action: 'admin-change',
      change: 'key.create',
      objectIds: [created.apiKey.id, user.id],
      details: {
        user: user.name,
        prefix: created.apiKey.prefix,
        label: created.apiKey.label,
        ...(request.peerId !== undefined ? { peerId: request.peerId } : {}),
      },
    })
    return { value: keyView(created.apiKey, user.name), secret: created.key }
  }

  async listApiKeys(userRef?: string): Promise<ApiKeyView[]> {
    if (this.guard.isNodeAdmin) return this.#keyViews(await this.admin.listApiKeys(userRef))
    const principal = this.guard.principal
    if (principal === undefined) return []
    if (userRef !== undefined) {
      const user = await this.admin.findUser(userRef)
      if (!this.guard.isSelf(user.id) && !this.guard.isOrgAdmin(user.orgId)) {
        throw forbidden(
          `only the user "${user.name}", admins of their organisation or node admins may list their keys`,
        )
      }
      return this.#keyViews(await this.#store.listApiKeys(user.id))
    }
    if (this.guard.isOrgAdmin(principal.orgId)) {
      const members = new Set((await this.#store.listUsers(principal.orgId)).map((u) => u.id))
      const keys = await this.#store.listApiKeys()
      return this.#keyViews(keys.filter((k) => members.has(k.userId)))
    }
    return this.#keyViews(await this.#store.listApiKeys(principal.userId))
  }

  async revokeApiKey(ref: string): Promise<ApiKeyView> {
    const key = await this.admin.findApiKey(ref)
    const owner = await this.admin.findUser(key.userId)
    if (!this.guard.isSelf(owner.id) && !this.guard.isOrgAdmin(owner.orgId)) {
      await this.guard.deny(
        `only the user "${owner.name}", admins of their organisation or node admins may revoke their keys`,
        {
          action: 'admin-change',
          change: 'key.revoke',
          objectIds: [key.id],
          details: { prefix: key.prefix },
        },
      )
    }
    const revoked = await this.admin.revokeApiKey(key.id)
    await this.guard.record({
      action: 'admin-change',
      change: 'key.revoke',
      objectIds: [key.id, owner.id],
      details: { prefix: key.prefix, user: owner.name },
    })
    return keyView(revoked, owner.name)
  }

  // API roots, collections and grants: node admins.

  async listApiRoots(): Promise<ApiRoot[]> {
    await this.guard.requireNodeAdmin('list API roots')
    return this.admin.listApiRoots()
  }

  async createApiRoot(input: NewApiRoot): Promise<ApiRoot> {
    await this.guard.requireNodeAdmin('add API roots', {
      action: 'admin-change',
      change: 'api-root.create',
      objectIds: [],
      details: { path: input.path },
    })
    const root = await this.admin.addApiRoot(input)
    await this.guard.record({
      action: 'admin-change',
      change: 'api-root.create',
      objectIds: [root.id],
      details: { path: root.path, title: root.title, maxContentLength: root.maxContentLength },
    })
    return root
  }

  /**
   * Collections with their grants: all of them for node admins; for anyone else the public ones
   * and those a grant reaches (to them or their organisation), showing only those grants (as
   * TAXII lists collections).
   */
  async listCollections(): Promise<CollectionListing[]> {
    const listings = await this.admin.listCollections()
    if (this.guard.isNodeAdmin) return listings
    const principal = this.guard.principal
    if (principal === undefined) return []
    const reaches = (g: CollectionGrant): boolean =>
      (g.subjectKind === 'org' && g.subjectId === principal.orgId) ||
      (g.subjectKind === 'user' && g.subjectId === principal.userId)
    return listings
      .map((l) => ({ ...l, grants: l.grants.filter(reaches) }))
      .filter((l) => l.collection.public || l.grants.some((g) => g.canRead || g.canWrite))
  }

  async getCollection(ref: string): Promise<CollectionListing> {
    const collection = await this.admin.findCollection(ref)
    const listing = (await this.listCollections()).find((l) => l.collection.id === collection.id)
    // As in TAXII: a collection the caller holds no grant on is reported as absent.
    if (listing === undefined) throw notFound(`no collection "${ref}"`)
    return listing
  }

  async createCollection(input: NewCollection): Promise<Collection> {
    await this.guard.requireNodeAdmin('add collections', {
      action: 'admin-change',
      change: 'collection.create',
      objectIds: [],
      details: { alias: input.alias },
    })
    const collection = await this.admin.addCollection(input)
    await this.guard.record({
      action: 'admin-change',
      change: 'collection.create',
      objectIds: [collection.id],
      collectionId: collection.id,
      details: {
        alias: collection.alias,
        defaultDistribution: distributionJson(collection.defaultDistribution),
        public: collection.public,
      },
    })
    return collection
  }

  async setGrant(request: GrantRequest): Promise<CollectionGrant> {
    await this.guard.requireNodeAdmin('grant access to collections', {
      action: 'admin-change',
      change: 'grant.set',
      objectIds: [],
      details: { collection: request.collection },
    })
    const grant = await this.admin.grant(request)
    await this.guard.record({
      action: 'admin-change',
      change: 'grant.set',
      objectIds: [grant.subjectId],
      collectionId: grant.collectionId,
      details: {
        subjectKind: grant.subjectKind,
        canRead: grant.canRead,
        canWrite: grant.canWrite,
      },
    })
    return grant
  }

  async removeGrant(request: GrantRemoval): Promise<void> {
    await this.guard.requireNodeAdmin('remove grants', {
      action: 'admin-change',
      change: 'grant.remove',
      objectIds: [],
      details: { collection: request.collection },
    })
    if ((request.org === undefined) === (request.user === undefined)) {
      throw invalid('a grant names exactly one organisation or one user')
    }
    const collection = await this.admin.findCollection(request.collection)
    const [kind, subjectId] =
      request.org !== undefined
        ? (['org', (await this.admin.findOrganisation(request.org)).id] as const)
        : (['user', (await this.admin.findUser(request.user ?? '')).id] as const)
    if (!(await this.#store.deleteCollectionGrant(collection.id, kind, subjectId))) {
      throw notFound(`collection "${collection.alias}" has no grant to that ${kind}`)
    }
    await this.guard.record({
      action: 'admin-change',
      change: 'grant.remove',
      objectIds: [subjectId],
      collectionId: collection.id,
      details: { subjectKind: kind },
    })
  }

  // Audit log: node admins.

  async listAudit(filter: AuditListFilter & { afterSeq?: number }): Promise<AuditEntry[]> {
    await this.guard.requireNodeAdmin('read the audit log')
    const page = await this.#store.listAudit({
      afterSeq: filter.afterSeq ?? 0,
      limit: filter.limit ?? 100,
      ...(filter.sinceMicros !== undefined ? { sinceMicros: filter.sinceMicros } : {}),
      ...(filter.actorId !== undefined ? { actorId: filter.actorId } : {}),
      ...(filter.actorKind !== undefined ? { actorKind: filter.actorKind } : {}),
      ...(filter.action !== undefined ? { action: filter.action } : {}),
      ...(filter.objectId !== undefined ? { objectId: filter.objectId } : {}),
    })
    return page.map(toAuditEntry)
  }

  async verifyAudit(): Promise<AuditVerification> {
    await this.guard.requireNodeAdmin('verify the audit log')
    return this.guard.auditLog.verify()
  }
}

function userView(user: User, orgName: string): UserView {
  return {
    id: user.id,
    name: user.name,
    orgId: user.orgId,
    orgName,
    role: user.role,
    hasPassword: user.passwordHash !== null,
    disabled: user.disabled,
    createdAt: user.createdAt,
  }
}

function keyView(key: ApiKey, userName: string): ApiKeyView {
  return {
    id: key.id,
    prefix: key.prefix,
    userId: key.userId,
    userName,
    label: key.label,
    revoked: key.revoked,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    peerId: key.peerId,
  }
}

/** A distribution as audit details (plain JSON). */
export function distributionJson(distribution: Distribution): { [key: string]: JsonValue } {
  return {
    scope: distribution.scope,
    groups: [...distribution.groups],
    recipients: [...distribution.recipients],
  }
}
