/** Who is calling: an API key with a role, or a learner token that acts for one learner only. */

export type Role = "ingest" | "author" | "analyst" | "admin";
export const ROLES: readonly Role[] = ["ingest", "author", "analyst", "admin"];

export type Principal = { kind: "key"; keyId: string; name: string; role: Role } | { kind: "learner"; learnerId: string; expiresAt: Date };

/** A name for audit logs and `author` fields. */
export function principalName(p: Principal): string {
  return p.kind === "key" ? p.name : `learner:${p.learnerId}`;
}

/** True when the principal holds one of the roles (admin holds every role). */
export function hasRole(p: Principal, roles: readonly Role[]): boolean {
  return p.kind === "key" && (p.role === "admin" || roles.includes(p.role));
}
