import 'server-only';

import { notFound } from 'next/navigation';

import { CreditsError } from '@/features/common/payments/service/credits-errors';
import { getOrganization, type OrganizationDetails } from '@/features/common/payments/service/organizations/organizations.service';

/** The organisation for a page of it, as `viewerId` sees it; a 404 for anyone not a member (or a bad id). */
export async function getOrganizationOr404(viewerId: string, organizationId: string): Promise<OrganizationDetails> {
  try {
    return await getOrganization(viewerId, organizationId);
  } catch (error) {
    if (error instanceof CreditsError) notFound();
    throw error;
  }
}
