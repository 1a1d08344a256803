/**
 * `intelmesh collection add|list|grant|update`: TAXII collections, who may read or write them,
 * and their sharing (public flag, default distribution); through the authorised services as the
 * local CLI actor (every change audited as `system`).
 */
import { Option } from 'commander'
import { AuthorisedAdmin, distributionScopes, localCliActor } from '../../accounts/admin-service.js'
import { AppError } from '../../errors.js'
import { SharingService } from '../../sharing/sharing-service.js'
import type { DistributionScope } from '../../store/store.js'
import type { CommandRegistrar } from '../context.js'
import {
  printJson,
  printTable,
  runAdmin,
  withAdminOptions,
  type AdminOptions,
} from './admin-support.js'
import { distributionOption, onOff } from './sharing.js'

interface AddOptions extends AdminOptions {
  title?: string
  description?: string
  apiRoot: string
  distribution: DistributionScope
  public?: boolean
}

interface GrantOptions extends AdminOptions {
  org?: string
  user?: string
  read?: boolean
  write?: boolean
  none?: boolean
}

export const registerCollectionCommands: CommandRegistrar = (program, ctx) => {
  const collection = program
    .command('collection')
    .description('Manage TAXII collections and their read/write grants')

  withAdminOptions(
    collection
      .command('add')
      .description('Add a collection to an API root')
      .argument('<alias>', 'a short unique name for the CLI (letters, digits, _ -)')
      .option('--title <title>', 'the TAXII title (default: the alias)')
      .option('--description <text>', 'the TAXII description')
      .option('--api-root <path>', 'the API root path', 'api1')
      .addOption(
        new Option('--distribution <scope>', 'default distribution of objects posted here')
          .choices(distributionScopes)
          .default('community'),
      )
      .option('--public', 'open to unauthenticated readers (TLP:CLEAR federated objects only)'),
  ).action(async (alias: string, options: AddOptions) => {
    const created = await runAdmin(ctx, options, (_admin, store) =>
      new AuthorisedAdmin(store, localCliActor).createCollection({
        alias,
        title: options.title ?? alias,
        description: options.description ?? null,
        apiRoot: options.apiRoot,
        defaultDistribution: { scope: options.distribution, groups: [], recipients: [] },
        public: options.public === true,
      }),
    )
    if (options.json) return printJson(ctx, created)
    ctx.stdout.write(
      `added collection "${created.alias}" (id ${created.id}) under /${options.apiRoot.replace(/^\/+|\/+$/g, '')}/\n` +
        `grant access with: intelmesh collection grant ${created.alias} --org <org> --read --write\n`,
    )
  })

  withAdminOptions(collection.command('list').description('List collections and grants')).action(
    async (options: AdminOptions) => {
      const listings = await runAdmin(ctx, options, (_admin, store) =>
        new AuthorisedAdmin(store, localCliActor).listCollections(),
      )
      if (options.json) return printJson(ctx, listings)
      printTable(
        ctx,
        ['ALIAS', 'API ROOT', 'ID', 'TITLE', 'GRANTS'],
        listings.map((l) => [
          l.collection.alias,
          `/${l.apiRootPath}/`,
          l.collection.id,
          l.collection.title,
          l.grants
            .map(
              (g) =>
                `${g.subjectKind}:${g.subjectName}=${g.canRead ? 'r' : ''}${g.canWrite ? 'w' : ''}${!g.canRead && !g.canWrite ? '-' : ''}`,
            )
            .join(' ') || '(none)',
        ]),
        'no collections',
      )
    },
  )

  withAdminOptions(
    collection
      .command('grant')
      .description('Set what an organisation or a user may do with a collection')
      .argument('<collection>', 'the collection alias or id')
      .option('--org <org>', 'grant to this organisation (all its users)')
      .option('--user <user>', 'grant to this user')
      .option('--read', 'may read (can_read)')
      .option('--write', 'may write (can_write)')
      .option('--none', 'remove both read and write'),
  ).action(async (ref: string, options: GrantOptions) => {
    if ((options.org === undefined) === (options.user === undefined)) {
      throw new AppError('CLI_USAGE', {
        detail: 'give exactly one of --org <org> and --user <user>',
      })
    }
    if (!options.read && !options.write && !options.none) {
      throw new AppError('CLI_USAGE', {
        detail: 'give --read and/or --write, or --none to remove access',
      })
    }
    if (options.none && (options.read || options.write)) {
      throw new AppError('CLI_USAGE', { detail: '--none excludes --read and --write' })
    }
    const grant = await runAdmin(ctx, options, (_admin, store) =>
      new AuthorisedAdmin(store, localCliActor).setGrant({
        collection: ref,
        ...(options.org !== undefined ? { org: options.org } : {}),
        ...(options.user !== undefined ? { user: options.user } : {}),
        canRead: options.read === true,
        canWrite: options.write === true,
      }),
    )
    if (options.json) return printJson(ctx, grant)
    const rights = [grant.canRead ? 'read' : '', grant.canWrite ? 'write' : '']
      .filter(Boolean)
      .join(' and ')
    ctx.stdout.write(
      `${options.org !== undefined ? `organisation "${options.org}"` : `user "${options.user ?? ''}"`} ` +
        `${rights ? `may now ${rights}` : 'has no access to'} collection "${ref}"\n`,
    )
  })

  withAdminOptions(
    collection
      .command('update')
      .description("Change a collection's sharing: public flag and default distribution")
      .argument('<collection>', 'the collection alias or id')
      .option(
        '--public <on|off>',
        'open to unauthenticated readers (they get TLP:CLEAR federated objects only)',
      )
      .option('--default-distribution <scope>', 'organisation, groups, community or federation')
      .option('--groups <names>', 'sharing groups of the default distribution (comma-separated)')
      .option('--recipients <orgs>', 'named recipient organisations (comma-separated)'),
  ).action(
    async (
      ref: string,
      options: AdminOptions & {
        public?: string
        defaultDistribution?: string
        groups?: string
        recipients?: string
      },
    ) => {
      const isPublic = onOff(options.public, '--public')
      const distribution = distributionOption(options, false)
      if (isPublic === undefined && distribution === undefined) {
        throw new AppError('CLI_USAGE', {
          detail: 'give --public on|off and/or --default-distribution <scope>',
        })
      }
      const updated = await runAdmin(ctx, options, (_admin, store) =>
        new SharingService(store, localCliActor).updateCollectionSharing(ref, {
          ...(isPublic !== undefined ? { public: isPublic } : {}),
          ...(distribution ? { defaultDistribution: distribution } : {}),
        }),
      )
      if (options.json) return printJson(ctx, updated)
      ctx.stdout.write(
        `collection "${updated.alias}": ${updated.public ? 'public' : 'not public'}, default distribution ${updated.defaultDistribution.scope}\n`,
      )
    },
  )
}
