import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import type { z } from 'zod';
import { sessionView, type userView, whoAmI } from '../../../../server/contract/auth.ts';
import { api, setCsrfToken } from '../../lib/api-client.ts';

export type User = z.infer<typeof userView>;
type Role = User['role'];

interface Session {
  user: User | null;
  loading: boolean;
  login(name: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    api('GET', '/auth/session', undefined, whoAmI)
      .then((s) => {
        setCsrfToken(s.csrfToken);
        setUser(s.user);
      })
      .catch(() => setUser(null))
      .finally(() => setLoading(false));
  }, []);

  const login = useCallback(async (name: string, password: string) => {
    const s = await api('POST', '/auth/login', { name, password }, sessionView);
    setCsrfToken(s.csrfToken);
    setUser(s.user);
  }, []);

  const logout = useCallback(async () => {
    try {
      await api('POST', '/auth/logout');
    } finally {
      setCsrfToken(null);
      setUser(null);
    }
  }, []);

  return <SessionContext.Provider value={{ user, loading, login, logout }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** What a role may not do is not offered to it (SPEC §6). */
export function useCan(): (needed: Role) => boolean {
  const { user } = useSession();
  return (needed) => !!user && RANK[user.role] >= RANK[needed];
}
