import { useEffect, useRef } from 'react';
import { useBlocker } from 'react-router-dom';

/**
 * Asks before leaving a page with unsaved changes: in-app navigation via the
 * router, closing or reloading the tab via `beforeunload`. Call the returned
 * function right before a navigation that should not ask (after a save).
 */
export function useUnsavedWarning(dirty: boolean, message = 'You have unsaved changes. Leave without saving them?'): () => void {
  const allow = useRef(false);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && !allow.current && currentLocation.pathname !== nextLocation.pathname);

  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    if (window.confirm(message)) blocker.proceed();
    else blocker.reset();
  }, [blocker, message]);

  useEffect(() => {
    if (!dirty) return;
    const onUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onUnload);
    return () => window.removeEventListener('beforeunload', onUnload);
  }, [dirty]);

  return () => {
    allow.current = true;
  };
}
