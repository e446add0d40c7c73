/**
 * WHERE REAL AUTH PLUGS IN.
 *
 * The demo takes the caller's tenant, user and role from three request
 * headers, so you can switch between tenants and roles from the page:
 *
 *     X-Demo-Tenant: acme      X-Demo-User: alice      X-Demo-Role: owner
 *
 * Anyone can send these headers: never deploy this. In your app, replace
 * `demoCaller` with your session or token check (a session cookie, an OIDC
 * access token, your auth middleware's `req.user`), and take the tenant from
 * what the check proves (the user's organisation), never from the request.
 * Everything after this function (the routes, the vault's permission checks
 * and tenant scoping) stays as it is.
 */
import type { Request, RequestHandler } from 'express';
import type { Actor } from 'byokit';
import { actorSchema, parseInput, tenantIdSchema } from 'byokit/schemas';
import { HubError } from './http-errors.js';

/** Who is calling: the tenant every vault call is bound to, and the actor the audit trail names. */
export interface Caller {
  tenantId: string;
  actor: Actor;
}

/** DEMO ONLY: the caller as the request's demo headers claim it. */
function demoCaller(req: Request): Caller {
  const tenantId = req.get('x-demo-tenant');
  const userId = req.get('x-demo-user');
  const role = req.get('x-demo-role');
  if (tenantId === undefined || userId === undefined) {
    throw new HubError(
      401,
      'UNAUTHENTICATED',
      'sign in: this demo expects X-Demo-Tenant, X-Demo-User and X-Demo-Role headers',
    );
  }
  return {
    tenantId: parseInput(tenantIdSchema, tenantId, 'X-Demo-Tenant header'),
    actor: parseInput(
      actorSchema,
      role === undefined ? { id: userId } : { id: userId, role },
      'X-Demo-User / X-Demo-Role headers',
    ),
  };
}

/** The caller of a request that passed {@link authenticate}. */
export function callerOf(res: { locals: Record<string, unknown> }): Caller {
  return res.locals.caller as Caller;
}

/** Middleware: identifies the caller and keeps it in `res.locals.caller`. */
export const authenticate: RequestHandler = (req, res, next) => {
  try {
    res.locals.caller = demoCaller(req);
    next();
  } catch (error) {
    next(error);
  }
};
