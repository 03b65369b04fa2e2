'use client';

import { useCallback, useState } from 'react';

/** Open/closed state for `<CreditsTopUpModal open={isOpen} onOpenChange={setIsOpen} />`. */
export function useCreditsTopUpModal(initiallyOpen = false) {
  const [isOpen, setIsOpen] = useState(initiallyOpen);
  const openTopUpModal = useCallback(() => setIsOpen(true), []);
  const closeTopUpModal = useCallback(() => setIsOpen(false), []);
  return { isOpen, setIsOpen, openTopUpModal, closeTopUpModal };
}
