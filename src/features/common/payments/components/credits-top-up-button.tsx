'use client';

import type { ComponentProps } from 'react';
import { PlusIcon } from 'lucide-react';

import { CreditsTopUpModal } from '@/features/common/payments/components/credits-top-up-modal';
import { useCreditsTopUpModal } from '@/features/common/payments/hooks/use-credits-top-up-modal';
import { Button } from '@/shared/components/ui/button';

/** A "Top up" button with its modal, for server-rendered pages that cannot hold the modal's state. */
export function CreditsTopUpButton({ children = 'Top up', ...buttonProps }: ComponentProps<typeof Button>) {
  const modal = useCreditsTopUpModal();
  return (
    <CreditsTopUpModal
      open={modal.isOpen}
      onOpenChange={modal.setIsOpen}
      trigger={
        <Button {...buttonProps}>
          <PlusIcon aria-hidden />
          {children}
        </Button>
      }
    />
  );
}
