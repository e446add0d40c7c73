/** Most routes one scope holds, and most scopes with routes in one tenant: a settings document stays small. */
export const MAX_ROUTES_PER_SCOPE = 100;
export const MAX_ROUTED_SCOPES = 1000;
