import { env } from '@/config/env';
import { handleCronRequest } from '@/features/common/payments/api/cron-handler';

// Never cached or prerendered: every call does the work.
export const dynamic = 'force-dynamic';

export function GET(request: Request) {
  return handleCronRequest(request, env.CRON_SECRET);
}

export function POST(request: Request) {
  return handleCronRequest(request, env.CRON_SECRET);
}
