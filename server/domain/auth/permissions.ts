/**
 * SPEC §6 roles. admin: everything; operator: acknowledge, switch over,
 * enable auto-failover, maintenance; viewer: read only. Each route names the
 * least role it needs; `public` routes need no login at all.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type Requirement = Role | 'public';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function allows(role: Role, needed: Requirement): boolean {
  return needed === 'public' || RANK[role] >= RANK[needed];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
