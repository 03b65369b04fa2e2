import type { Metadata } from 'next';

import { appConfig } from '@/config/app';
import { requireAdmin } from '@/features/common/auth/session';
import { BooksMonthlyTable } from '@/features/common/payments/components/books-monthly-table';
import { BooksOutstandingCards } from '@/features/common/payments/components/books-outstanding';
import { BooksTopSpenders } from '@/features/common/payments/components/books-top-spenders';
import { CreditsDisabledNotice } from '@/features/common/payments/components/credits-disabled-notice';
import { LedgerExportForm } from '@/features/common/payments/components/ledger-export-form';
import { getCreditsBooks } from '@/features/common/payments/service/insights/books';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';

export const metadata: Metadata = { title: 'Admin · Books' };

const timeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

export default async function AdminBooksPage() {
  await requireAdmin();
  if (!appConfig.billing.credits.enabled) {
    return (
      <div className="flex flex-col gap-6">
        <h1 className="text-2xl font-semibold tracking-tight">Books</h1>
        <CreditsDisabledNotice />
      </div>
    );
  }

  const books = await getCreditsBooks();
  const today = books.asOf.toISOString().slice(0, 10);
  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Books</h1>
        <p className="text-muted-foreground">
          What is owed in credits and what happened to them, each figure a sum over the ledger. As of {timeFormat.format(books.asOf)} UTC.
        </p>
      </div>

      <BooksOutstandingCards outstanding={books.outstanding} />

      <Card>
        <CardHeader>
          <CardTitle asChild>
            <h2>Per month</h2>
          </CardTitle>
          <CardDescription>Credits in and out in each calendar month (UTC), the last {books.months.length} months.</CardDescription>
        </CardHeader>
        <CardContent className="px-2 pb-2">
          <BooksMonthlyTable months={books.months} />
        </CardContent>
      </Card>

      <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h2>Top spenders</h2>
            </CardTitle>
            <CardDescription>Credits spent in the last {books.spendWindowDays} days.</CardDescription>
          </CardHeader>
          <CardContent className="px-2 pb-2">
            <BooksTopSpenders spenders={books.topSpenders} days={books.spendWindowDays} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h2>Export the ledger</h2>
            </CardTitle>
            <CardDescription>Every wallet’s entries between two days, with actors, Stripe references and metadata.</CardDescription>
          </CardHeader>
          <CardContent>
            <LedgerExportForm action="/dashboard/admin/credits/export" from={`${today.slice(0, 8)}01`} to={today} />
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
