import { getSessionUser } from '@/features/common/auth/session';
import { handleStreamRequest } from '@/features/examples/streaming/stream-answer';

export async function POST(request: Request) {
  const user = await getSessionUser();
  return handleStreamRequest(request, user?.id ?? null);
}
