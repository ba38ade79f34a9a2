import type { ReactNode } from 'react';
import { navigate } from '../lib/router.ts';

/** An in-app link: a real href (open in a new tab works), client-side navigation on a plain click. */
export function AppLink({ to, children, current }: { to: string; children: ReactNode; current?: boolean }) {
  return (
    <a
      href={to}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
