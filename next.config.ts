import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite loads its WASM and data files from its own package directory at run time.
  // rate-limiter-flexible imports drizzle-orm by a computed name at run time: both load from
  // node_modules, as one drizzle-orm.
  serverExternalPackages: ['@electric-sql/pglite', 'rate-limiter-flexible', 'drizzle-orm'],
  typedRoutes: true,
};

export default nextConfig;
