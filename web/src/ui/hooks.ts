import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';

/** A request a person starts (a form, a button): whether it runs, and how it failed. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** A GET that follows its path: loads again when the path changes or reload() is called; null loads nothing. */
export function useLoad<T>(path: string | null) {
  const [state, setState] = useState<{ path: string | null; data?: T; error?: unknown }>({ path: null });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === null) return;
    // generation is read so that reload() runs this again for the same path.
    void generation;
    let current = true;
    api<T>('GET', path).then(
      (data) => current && setState({ path, data }),
      (error: unknown) => current && setState({ path, error }),
    );
    return () => {
      current = false;
    };
  }, [path, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const settled = state.path === path;
  return {
    data: settled ? state.data : undefined,
    error: settled ? state.error : undefined,
    loading: path !== null && !settled,
    reload,
  };
}
