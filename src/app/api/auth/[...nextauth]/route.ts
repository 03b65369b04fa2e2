import { handlers } from '@/features/common/auth/auth';
import { handleAuthPost } from '@/features/common/auth/auth-route';

export const { GET } = handlers;
export const POST = handleAuthPost;
