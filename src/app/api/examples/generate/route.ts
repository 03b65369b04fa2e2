import { getSessionUser } from '@/features/common/auth/session';
import { handleGenerateRequest } from '@/features/examples/generation/generate-handler';

export async function POST(request: Request) {
  const user = await getSessionUser();
  return handleGenerateRequest(request, user?.id ?? null);
}
