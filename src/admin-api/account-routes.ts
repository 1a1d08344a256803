/** Admin API routes for the caller's account, organisations, users and API keys. */
import { AuthorisedAdmin, type AdminActor } from '../accounts/admin-service.js'
import { z } from 'zod'
import type { AdminRequest, AdminRoute } from './route.js'
import { defineRoute, param, queryString } from './route.js'
import {
  apiKeyViewSchema,
  keyCreateSchema,
  meSchema,
  organisationCreateSchema,
  organisationSchema,
  passwordResetSchema,
  roleChangeSchema,
  userCreateSchema,
  userViewSchema,
} from './schemas.js'

function adminOf(request: AdminRequest<unknown> & { actor: AdminActor }): AuthorisedAdmin {
  return new AuthorisedAdmin(request.store, request.actor, { clock: request.clock })
}

export const accountRoutes: readonly AdminRoute[] = [
  defineRoute({
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    tag: 'accounts',
    summary: "The caller's own account",
    response: '`{ user, isNodeAdmin, peerId }`',
    responseBody: meSchema,
    handle: (r) => adminOf(r).whoAmI(),
  }),

  defineRoute({
    method: 'get',
    path: '/organisations',
    operationId: 'listOrganisations',
    tag: 'organisations',
    summary: 'List the organisations of the node (any authenticated user)',
    response: '`{ organisations: Organisation[] }`',
    responseBody: z.strictObject({ organisations: z.array(organisationSchema) }),
    handle: async (r) => ({ organisations: await adminOf(r).listOrganisations() }),
  }),
  defineRoute({
    method: 'post',
    path: '/organisations',
    operationId: 'createOrganisation',
    tag: 'organisations',
    summary: 'Add an organisation (node admins)',
    body: organisationCreateSchema,
    status: 201,
    response: 'the new organisation',
    responseBody: organisationSchema,
    handle: (r) =>
      adminOf(r).createOrganisation(
        r.body.name,
        r.body.identityId !== undefined ? { identityId: r.body.identityId } : {},
      ),
  }),
  defineRoute({
    method: 'get',
    path: '/organisations/{org}',
    operationId: 'getOrganisation',
    tag: 'organisations',
    summary: 'One organisation by name or id',
    response: 'the organisation',
    responseBody: organisationSchema,
    handle: (r) => adminOf(r).getOrganisation(param(r, 'org')),
  }),

  defineRoute({
    method: 'get',
    path: '/users',
    operationId: 'listUsers',
    tag: 'users',
    summary:
      "List users: node admins all, organisation admins their organisation's, others themselves",
    query: [{ name: 'org', description: 'only the users of this organisation (name or id)' }],
    response: '`{ users: User[] }` (never password hashes)',
    responseBody: z.strictObject({ users: z.array(userViewSchema) }),
    handle: async (r) => ({ users: await adminOf(r).listUsers(queryString(r, 'org')) }),
  }),
  defineRoute({
    method: 'post',
    path: '/users',
    operationId: 'createUser',
    tag: 'users',
    summary: "Add a user (the organisation's admins, node admins)",
    description:
      'Without `password` a password is generated and returned once as `password`; `password: null` makes a user that authenticates with API keys only.',
    body: userCreateSchema,
    status: 201,
    response: '`{ user, password? }`',
    responseBody: z.strictObject({ user: userViewSchema, password: z.string().optional() }),
    handle: async (r) => {
      const created = await adminOf(r).createUser({
        name: r.body.name,
        org: r.body.org,
        role: r.body.role,
        ...(r.body.password !== undefined ? { password: r.body.password } : {}),
      })
      return {
        user: created.value,
        ...(created.secret !== undefined ? { password: created.secret } : {}),
      }
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/{user}',
    operationId: 'getUser',
    tag: 'users',
    summary: "One user (themselves, their organisation's admins, node admins)",
    response: 'the user',
    responseBody: userViewSchema,
    handle: (r) => adminOf(r).getUser(param(r, 'user')),
  }),
  defineRoute({
    method: 'post',
    path: '/users/{user}/disable',
    operationId: 'disableUser',
    tag: 'users',
    summary: 'Disable a user: their password and keys stop working at once',
    response: 'the user',
    responseBody: userViewSchema,
    handle: (r) => adminOf(r).setUserDisabled(param(r, 'user'), true),
  }),
  defineRoute({
    method: 'post',
    path: '/users/{user}/enable',
    operationId: 'enableUser',
    tag: 'users',
    summary: 'Enable a disabled user again',
    response: 'the user',
    responseBody: userViewSchema,
    handle: (r) => adminOf(r).setUserDisabled(param(r, 'user'), false),
  }),
  defineRoute({
    method: 'put',
    path: '/users/{user}/role',
    operationId: 'setUserRole',
    tag: 'users',
    summary: "Change a user's role (not one's own)",
    body: roleChangeSchema,
    response: 'the user',
    responseBody: userViewSchema,
    handle: (r) => adminOf(r).setUserRole(param(r, 'user'), r.body.role),
  }),
  defineRoute({
    method: 'post',
    path: '/users/{user}/password',
    operationId: 'resetPassword',
    tag: 'users',
    summary: "Set a user's password (their organisation's admins, node admins, themselves)",
    description:
      'Without `password` one is generated and returned once. Users change their own only when signed in with their current password (HTTP Basic), not with an API key.',
    body: passwordResetSchema,
    response: '`{ user, password? }`',
    responseBody: z.strictObject({ user: userViewSchema, password: z.string().optional() }),
    handle: async (r) => {
      const reset = await adminOf(r).resetPassword(param(r, 'user'), r.body.password)
      return {
        user: reset.value,
        ...(reset.secret !== undefined ? { password: reset.secret } : {}),
      }
    },
  }),

  defineRoute({
    method: 'get',
    path: '/keys',
    operationId: 'listKeys',
    tag: 'keys',
    summary: 'List API keys (prefixes only; never the key)',
    query: [{ name: 'user', description: 'only the keys of this user (name or id)' }],
    response: '`{ keys: ApiKey[] }`',
    responseBody: z.strictObject({ keys: z.array(apiKeyViewSchema) }),
    handle: async (r) => ({ keys: await adminOf(r).listApiKeys(queryString(r, 'user')) }),
  }),
  defineRoute({
    method: 'post',
    path: '/keys',
    operationId: 'createKey',
    tag: 'keys',
    summary: 'Create an API key (for oneself; admins also for their users)',
    description: 'The key is returned once as `secret` and stored hashed.',
    body: keyCreateSchema,
    status: 201,
    response: '`{ key, secret }`',
    responseBody: z.strictObject({ key: apiKeyViewSchema, secret: z.string() }),
    handle: async (r) => {
      const created = await adminOf(r).createApiKey({ user: r.body.user, label: r.body.label })
      return { key: created.value, secret: created.secret }
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/keys/{key}',
    operationId: 'revokeKey',
    tag: 'keys',
    summary: 'Revoke an API key at once (by prefix or id)',
    response: 'the revoked key',
    responseBody: apiKeyViewSchema,
    handle: (r) => adminOf(r).revokeApiKey(param(r, 'key')),
  }),
]
