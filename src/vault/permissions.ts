/**
 * Permissions (docs/architecture.md, rule 9). Reading configs, writing configs, managing
 * keys and deleting configs are separate, so a host can let someone rename
 * a config without letting them touch or redirect its key.
 *
 * @module
 */
import { PermissionError } from '../errors.js';
import type { Actor } from '../store/types.js';
import { byokitMessage } from '../message.js';

/**
 * The permissions the vault checks. `access:manage` covers access keys:
 * creating, listing and revoking them and reading their usage.
 */
export type Permission = 'config:read' | 'config:write' | 'key:manage' | 'config:delete' | 'access:manage';

/** Every permission, for UIs and policy tables. */
export const PERMISSIONS: readonly Permission[] = [
  'config:read',
  'config:write',
  'key:manage',
  'config:delete',
  'access:manage',
];

/** The action being authorised, for policies that look deeper than the permission. */
export interface AuthorizeContext {
  /** The tenant the action is in. */
  tenantId: string;
  /** The vault method, e.g. `'setKey'`. */
  action: string;
  /** The config acted on, for actions on an existing config. */
  configId?: string;
  /**
   * The scope the action touches: the config's scope for every action on an
   * existing config, the new config's scope for `createConfig`, the filter
   * of `listConfigs` when it names one; absent for tenant-wide reads. A move
   * to another scope is asked about twice, once with each end here (the
   * source, then the destination), so a policy that checks `scope` alone
   * covers both ends.
   */
  scope?: string;
  /** For a move (`updateConfig` changing `scope`): where the config goes. Present in both checks of the move. */
  toScope?: string;
  /** For access-key actions on an existing key: its id. */
  accessKeyId?: string;
  /** The config's provider, where known before the call. */
  provider?: string;
  /** For `updateConfig`: the fields being changed. */
  fields?: string[];
}

/**
 * A host policy: may `actor` use `permission` here? May be async (a
 * database or policy-engine lookup). Return `true` to allow.
 */
export type AuthorizeFn = (
  actor: Actor,
  permission: Permission,
  context: AuthorizeContext,
) => boolean | Promise<boolean>;

/** The default roles: `owner` all; `admin` read, write, key:manage, access:manage; `member` read. */
export const DEFAULT_ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = Object.freeze({
  owner: PERMISSIONS,
  admin: ['config:read', 'config:write', 'key:manage', 'access:manage'],
  member: ['config:read'],
});

/** The default policy: the actor's `role` looked up in {@link DEFAULT_ROLE_PERMISSIONS}; no role, no access. */
export const defaultAuthorize: AuthorizeFn = (actor, permission) => {
  const role = actor.role;
  if (role === undefined || !Object.hasOwn(DEFAULT_ROLE_PERMISSIONS, role)) return false;
  return DEFAULT_ROLE_PERMISSIONS[role]!.includes(permission);
};

/** Throws a {@link PermissionError} unless `authorize` allows every one of `permissions`. */
export async function requirePermissions(
  authorize: AuthorizeFn,
  actor: Actor,
  permissions: readonly Permission[],
  context: AuthorizeContext,
): Promise<void> {
  for (const permission of permissions) {
    // Only an explicit `true` allows: a policy returning undefined by mistake denies.
    if ((await authorize(actor, permission, context)) !== true) {
      throw new PermissionError(
        permission,
        byokitMessage(
          'vault',
          `actor "${actor.id}" may not ${context.action} (needs ${permission}) in tenant "${context.tenantId}"`,
        ),
      );
    }
  }
}
