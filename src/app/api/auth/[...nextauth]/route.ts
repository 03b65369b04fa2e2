import { handlers } from '@/features/common/auth/auth';

export const { GET, POST } = handlers;
