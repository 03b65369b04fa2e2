import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { AI_SKILL_SOURCE, AI_SKILL_TARGETS, renderAiSkillCopy } from './ai-skill';

// `npm run ai:sync`: rewrites each assistant's copy of the /payments skill from docs/ai/payments.md.
// Run it after editing the source; tests/unit/ai-skill.test.ts fails until the copies match.
const root = fileURLToPath(new URL('..', import.meta.url));
const source = await readFile(path.join(root, AI_SKILL_SOURCE), 'utf8');

for (const target of AI_SKILL_TARGETS) {
  const file = path.join(root, target.path);
  const wanted = renderAiSkillCopy(source, target.tool);
  const current = await readFile(file, 'utf8').catch(() => null);
  if (current === wanted) {
    console.log(`${target.path} is up to date`);
    continue;
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, wanted);
  console.log(`${target.path} ${current === null ? 'created' : 'updated'}`);
}
