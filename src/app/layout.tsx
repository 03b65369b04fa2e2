import type { Metadata } from 'next';
import type { ReactNode } from 'react';

import { appConfig } from '@/config/app';
import { Toaster } from '@/shared/components/ui/toaster';

import './globals.css';

export const metadata: Metadata = {
  title: { default: appConfig.name, template: `%s · ${appConfig.name}` },
  description: 'Prepaid credits for a Next.js SaaS: buy packs with Stripe Checkout, spend them bonus-first.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh font-sans">
        {children}
        <Toaster />
      </body>
    </html>
  );
}
