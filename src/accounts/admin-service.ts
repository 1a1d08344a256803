/**
 * The administration service: organisations, users, API keys, API roots, collections and
 * grants. The CLI admin commands use it today and the admin API will later, so every rule
 * (name syntax, password policy, hashing, uniqueness) lives here and not in a command.
 */
import { randomUUID } from 'node:crypto'
import { AppError } from '../errors.js'
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
import {
  defaultScryptParams,
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

  async setPassword(ref: string, password: string): Promise<void> {
    const problem = passwordProblem(password)
    if (problem) throw invalid(problem)
    const user = await this.findUser(ref)
    await this.#store.setUserPassword(user.id, await hashPassword(password, this.#scryptParams))
  }

  /** Creates an API key for a user; `key` is the secret, to be shown once and never again. */
  async createApiKey(userRef: string, label = ''): Promise<{ apiKey: ApiKey; key: string }> {
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
        peerId: null,
      }
      await this.#store.createApiKey(apiKey)
      return { apiKey, key: generated.key }
    }
    throw new AppError('STORE_CONFLICT', { detail: 'could not find a free API key prefix' })
  }

  /** Revokes a key named by its prefix, its id or the whole key. */
  async revokeApiKey(ref: string): Promise<ApiKey> {
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
    await this.#store.revokeApiKey(apiKey.id)
    return { ...apiKey, revoked: true }
  }

  async listApiKeys(userRef?: string): Promise<ApiKey[]> {
    if (userRef === undefined) return this.#store.listApiKeys()
    return this.#store.listApiKeys((await this.findUser(userRef)).id)
  }

  async addApiRoot(input: NewApiRoot): Promise<ApiRoot> {
    if (!aliasPattern.test(input.path) || input.path.toLowerCase() === 'taxii2') {
      throw invalid(
        `API root path "${input.path}" must be 1 to 64 letters, digits, _ or -, and not "taxii2"`,
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
      public: false,
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
