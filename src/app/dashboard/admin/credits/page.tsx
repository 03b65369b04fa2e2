import type { Metadata, Route } from 'next';
import Form from 'next/form';
import Link from 'next/link';
import { DownloadIcon, SearchIcon, UserIcon } from 'lucide-react';

import { appConfig } from '@/config/app';
import { findUserById, findUsersByIds } from '@/features/common/auth/find-users';
import { listUsers } from '@/features/common/auth/list-users';
import { requireAdmin } from '@/features/common/auth/session';
import { CreditLotsCard } from '@/features/common/payments/components/credit-lots-card';
import { EndCreditLotButton } from '@/features/common/payments/components/end-credit-lot-button';
import { CorrectCreditsForm } from '@/features/common/payments/components/correct-credits-form';
import { CreditTransactionsTable } from '@/features/common/payments/components/credit-transactions-table';
import { CreditsDisabledNotice } from '@/features/common/payments/components/credits-disabled-notice';
import { CreditsStats } from '@/features/common/payments/components/credits-stats';
import { GrantBonusCreditsForm } from '@/features/common/payments/components/grant-bonus-credits-form';
import { PurchasesNeedingReview } from '@/features/common/payments/components/purchases-needing-review';
import { getCreditsBalance, listCreditTransactions } from '@/features/common/payments/service/credits-balance.service';
import { listPurchasesNeedingReview } from '@/features/common/payments/service/fulfilment';
import { listCreditLots } from '@/features/common/payments/service/ledger/lots';
import { listMyOrganizations } from '@/features/common/payments/service/organizations/organizations.service';
import { Alert, AlertDescription } from '@/shared/components/ui/alert';
import { Badge } from '@/shared/components/ui/badge';
import { Button } from '@/shared/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';
import type { User } from '@/shared/db/schema';
import { cn } from '@/shared/lib/cn';
import { parseCursor, singleParam } from '@/shared/lib/search-params';

export const metadata: Metadata = { title: 'Admin · Credits' };

const PATH = '/dashboard/admin/credits';
const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

function pageHref(params: { q?: string; user?: string; cursor?: number }): Route {
  const search = new URLSearchParams();
  if (params.q) search.set('q', params.q);
  if (params.user) search.set('user', params.user);
  if (params.cursor) search.set('cursor', String(params.cursor));
  const query = search.toString();
  return (query ? `${PATH}?${query}` : PATH) as Route;
}

export default async function AdminCreditsPage({ searchParams }: PageProps<'/dashboard/admin/credits'>) {
  // The admin layout checks too; a page that can grant credits does not rely on its layout alone.
  await requireAdmin();
  const params = await searchParams;

  if (!appConfig.billing.credits.enabled) {
    return (
      <div className="flex flex-col gap-6">
        <h1 className="text-2xl font-semibold tracking-tight">Credits admin</h1>
        <CreditsDisabledNotice />
      </div>
    );
  }

  const q = singleParam(params.q);
  const selectedId = singleParam(params.user);
  const [matches, selected, underReview] = await Promise.all([
    listUsers({ emailQuery: q, limit: 20 }),
    selectedId ? findUserById(selectedId) : null,
    listPurchasesNeedingReview(),
  ]);

  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Credits admin</h1>
        <p className="text-muted-foreground">Find a user, review their balance and history, grant bonus credits and correct mistakes.</p>
      </div>

      <PurchasesNeedingReview rows={underReview} />

      <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-[20rem_minmax(0,1fr)]">
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h2>Users</h2>
            </CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <Form action={PATH} role="search" className="flex flex-col gap-2">
              <Label htmlFor="user-search">Search by email</Label>
              <div className="flex gap-2">
                <Input id="user-search" name="q" type="search" defaultValue={q} placeholder="name@example.com" autoComplete="off" />
                <Button type="submit" variant="secondary" size="icon" aria-label="Search">
                  <SearchIcon aria-hidden />
                </Button>
              </div>
            </Form>
            <UserResults users={matches} query={q} selectedId={selected?.id} />
          </CardContent>
        </Card>

        {selected ? (
          <SelectedUser user={selected} query={q} cursor={parseCursor(params.cursor)} />
        ) : (
          <Card className="flex min-h-64 flex-col items-center justify-center gap-2 p-10 text-center">
            <UserIcon className="size-8 text-muted-foreground" aria-hidden />
            {selectedId ? (
              <Alert variant="destructive" role="alert" className="max-w-sm">
                <AlertDescription>No user with that id. Pick one from the list.</AlertDescription>
              </Alert>
            ) : (
              <p className="max-w-sm text-sm text-muted-foreground">Select a user to see their balances and history, and to grant bonus credits.</p>
            )}
          </Card>
        )}
      </div>
    </div>
  );
}

function UserResults({ users, query, selectedId }: { users: User[]; query?: string; selectedId?: string }) {
  if (users.length === 0) {
    return <p className="text-sm text-muted-foreground">{query ? `No users match “${query}”.` : 'No users yet.'}</p>;
  }
  return (
    <ul aria-label={query ? `Users matching ${query}` : 'Newest users'} className="-mx-2 flex flex-col">
      {users.map((user) => (
        <li key={user.id}>
          <Link
            href={pageHref({ q: query, user: user.id })}
            aria-current={user.id === selectedId ? 'page' : undefined}
            className={cn(
              'flex flex-col rounded-md px-2 py-2 text-sm outline-none hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring',
              'aria-[current=page]:bg-primary/10',
            )}
          >
            <span className="truncate font-medium">{user.email}</span>
            <span className="text-xs text-muted-foreground">
              {user.role === 'admin' ? 'Admin · ' : ''}Joined {dateFormat.format(user.createdAt)}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

async function SelectedUser({ user, query, cursor }: { user: User; query?: string; cursor?: number }) {
  const [balance, ledger, lots, organizations] = await Promise.all([
    getCreditsBalance(user.id),
    listCreditTransactions(user.id, { cursor, limit: 20 }),
    listCreditLots(user.id),
    listMyOrganizations(user.id),
  ]);
  const adminIds = ledger.items.flatMap((entry) => (entry.actorType === 'admin' && entry.actorId ? [entry.actorId] : []));
  const actorNames = Object.fromEntries((await findUsersByIds(adminIds)).map((admin) => [admin.id, admin.email ?? admin.id]));
  const email = user.email ?? user.id;

  // Two grid items: the overview beside the user list, the history across the whole width below.
  return (
    <>
      <section aria-labelledby="selected-user" className="flex min-w-0 flex-col gap-6">
        <div className="flex flex-wrap items-center gap-3">
          <h2 id="selected-user" className="text-xl font-semibold tracking-tight">
            {email}
          </h2>
          <Badge variant={user.role === 'admin' ? 'default' : 'secondary'} className="capitalize">
            {user.role}
          </Badge>
          <span className="text-sm text-muted-foreground">Joined {dateFormat.format(user.createdAt)}</span>
        </div>
        <CreditsStats balance={balance} />
        <CreditLotsCard
          lots={lots}
          always
          title="Credit lots"
          description="What this user holds, lot by lot, in the order it is spent. Ending a lot early is recorded with you as the actor."
          action={(lot) => (
            <EndCreditLotButton
              userId={user.id}
              lotId={lot.id}
              creditsLeft={lot.creditsLeft}
              label={`${lot.creditsLeft} ${lot.bucket} credits from ${lot.createdAt.toISOString().slice(0, 10)}`}
            />
          )}
        />
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h3>Grant bonus credits</h3>
            </CardTitle>
            <CardDescription>Bonus credits are spent before purchased ones.</CardDescription>
          </CardHeader>
          <CardContent>
            <GrantBonusCreditsForm key={user.id} userId={user.id} userEmail={email} />
          </CardContent>
        </Card>
        {organizations.map((organization) => (
          <Card key={organization.id}>
            <CardHeader>
              <CardTitle asChild>
                <h3>Grant bonus credits to {organization.name}</h3>
              </CardTitle>
              <CardDescription>
                An organization {email} is {organization.role === 'admin' ? 'an' : 'a'} {organization.role} of: the credits go to its shared wallet.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <GrantBonusCreditsForm key={organization.id} userId={user.id} userEmail={organization.name} organizationId={organization.id} />
            </CardContent>
          </Card>
        ))}
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h3>Correct credits</h3>
            </CardTitle>
            <CardDescription>Revoke bonus credits or correct purchased ones. Never below zero; held credits cannot be taken.</CardDescription>
          </CardHeader>
          <CardContent>
            <CorrectCreditsForm key={user.id} userId={user.id} userEmail={email} bonus={balance.creditsBonus} purchased={balance.creditsPurchased} />
          </CardContent>
        </Card>
      </section>
      <Card className="lg:col-span-2">
        <CardHeader className="pb-2">
          <CardTitle asChild>
            <h2>Credit history</h2>
          </CardTitle>
          <CardDescription>Every change to this user’s balance, newest first.</CardDescription>
          <Button asChild variant="outline" size="sm" className="mt-2 self-start">
            <a href={`${PATH}/export?user=${encodeURIComponent(user.id)}`} download>
              <DownloadIcon aria-hidden />
              Export ledger as CSV
            </a>
          </Button>
        </CardHeader>
        <CardContent className="px-2 pb-2">
          <CreditTransactionsTable
            items={ledger.items}
            showActor
            actorNames={actorNames}
            olderHref={ledger.nextCursor ? pageHref({ q: query, user: user.id, cursor: ledger.nextCursor }) : null}
            newestHref={cursor ? pageHref({ q: query, user: user.id }) : null}
          />
        </CardContent>
      </Card>
    </>
  );
}
