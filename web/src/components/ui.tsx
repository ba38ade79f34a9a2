import { type ReactNode, useEffect, useId, useRef } from 'react';

const STATE_LABEL: Record<string, string> = {
  normal: 'normal',
  degraded: 'degraded',
  outage: 'OUTAGE',
  switching: 'switching',
  'failed-over': 'failed over',
  maintenance: 'maintenance',
  linking: 'linking',
};

export function StateBadge({ state, kind }: { state: string; kind?: string | undefined }) {
  return (
    <span className={`badge state-${state}`} data-testid="pair-state">
      {STATE_LABEL[state] ?? state}
      {kind ? ` (${kind})` : ''}
    </span>
  );
}

export function Badge({
  tone,
  children,
  title,
}: {
  tone: 'ok' | 'warn' | 'bad' | 'info' | 'off';
  children: ReactNode;
  title?: string;
}) {
  return (
    <span className={`badge tone-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function ErrorMessage({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error}
    </p>
  );
}

/** A modal dialog on the native <dialog>: focus is trapped and Escape closes it. */
export function Dialog({
  title,
  open,
  onClose,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby={titleId} className="card">
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="muted empty">{children}</p>;
}
