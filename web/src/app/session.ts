import { createContext, useContext } from 'react';
import type { Role, Session } from '../api/types';

export interface SessionState {
  session: Session;
  signOut: () => void;
}

export const SessionContext = createContext<SessionState | null>(null);

/** The signed-in session; screens are only rendered inside one. */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (state === null) throw new Error('useSession outside a signed-in session');
  return state;
}

/** Roles that read messages (admins do not). */
export const READER_ROLES: readonly Role[] = ['reviewer', 'supervisor', 'auditor'];
/** Roles that work alerts. */
export const REVIEWER_ROLES: readonly Role[] = ['reviewer', 'supervisor'];
