/**
 * First-start bootstrap: the node's own organisation, the `admin` user, one API key, a default
 * API root and a read-write collection granted to the node's organisation. It runs on every
 * start but does its work once: the `node.bootstrapped_at` setting marks it done, and each step
 * finds what an interrupted earlier run already created instead of failing on it.
 */
import type { AdminService } from '../accounts/admin-service.js'
import { generatePassword } from '../accounts/password.js'
import { isAppError } from '../errors.js'
import type { ApiRoot, Collection, Organisation, Store, User } from '../store/store.js'

/** Settings written by the bootstrap. */
export const bootstrapSettings = {
  doneAt: 'node.bootstrapped_at',
  orgId: 'node.org_id',
} as const

/** The default API root's path: the node serves `/api1/`. */
export const defaultApiRootPath = 'api1'
/** The alias of the default read-write collection. */
export const defaultCollectionAlias = 'default'
export const adminUserName = 'admin'

export interface BootstrapOptions {
  nodeName: string
  /** The admin password to set; generated (and returned) when absent. */
  adminPassword?: string | undefined
  now?: () => Date
}

export type BootstrapResult =
  | { firstStart: false; orgId: string | undefined }
  | {
      firstStart: true
      organisation: Organisation
      adminUser: User
      /** Set when the password was generated here: print it once. */
      generatedPassword: string | undefined
      /** The API key, unless an earlier interrupted run already made one. */
      apiKey: string | undefined
      apiRoot: ApiRoot
      collection: Collection
    }

/** Runs `create`; when another process created the same thing first, returns `find` instead. */
async function findOrCreate<T>(
  find: () => Promise<T | undefined>,
  create: () => Promise<T>,
): Promise<T> {
  const existing = await find()
  if (existing !== undefined) return existing
  try {
    return await create()
  } catch (error) {
    if (!isAppError(error, 'STORE_CONFLICT')) throw error
    const raced = await find()
    if (raced === undefined) throw error
    return raced
  }
}

/** Bootstraps the node on its first start; does nothing on later starts. */
export async function bootstrapNode(
  store: Store,
  admin: AdminService,
  options: BootstrapOptions,
): Promise<BootstrapResult> {
  if ((await store.getSetting(bootstrapSettings.doneAt)) !== undefined) {
    return { firstStart: false, orgId: await store.getSetting(bootstrapSettings.orgId) }
  }
  const now = options.now ?? (() => new Date())
  const orgId = await store.getSetting(bootstrapSettings.orgId)
  const organisation = await findOrCreate(
    async () =>
      (orgId === undefined ? undefined : await store.getOrganisation(orgId)) ??
      (await store.getOrganisationByName(options.nodeName)),
    () => admin.addOrganisation(options.nodeName),
  )
  await store.setSetting(bootstrapSettings.orgId, organisation.id)

  let generatedPassword: string | undefined
  const adminUser = await findOrCreate(
    () => store.getUserByName(adminUserName),
    () => {
      const password = options.adminPassword ?? generatePassword()
      if (options.adminPassword === undefined) generatedPassword = password
      return admin.addUser({
        name: adminUserName,
        org: organisation.id,
        role: 'admin',
        password,
      })
    },
  )

  let apiKey: string | undefined
  if ((await store.listApiKeys(adminUser.id)).length === 0) {
    apiKey = (await admin.createApiKey(adminUser.id, 'created at first start')).key
  }

  const apiRoot = await findOrCreate(
    () => store.getApiRootByPath(defaultApiRootPath),
    () =>
      admin.addApiRoot({
        path: defaultApiRootPath,
        title: `${options.nodeName} API root`,
        description: 'The default API root of this intelmesh node.',
      }),
  )
  const collection = await findOrCreate(
    () => store.getCollectionByAlias(defaultCollectionAlias),
    () =>
      admin.addCollection({
        alias: defaultCollectionAlias,
        title: 'Default collection',
        description: `Read-write collection of ${options.nodeName}.`,
        apiRoot: apiRoot.id,
      }),
  )
  await admin.grant({
    collection: collection.id,
    org: organisation.id,
    canRead: true,
    canWrite: true,
  })
  await store.setSetting(bootstrapSettings.doneAt, now().toISOString())
  return {
    firstStart: true,
    organisation,
    adminUser,
    generatedPassword,
    apiKey,
    apiRoot,
    collection,
  }
}
