import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { appConfig } from '@/config/app';
import { AI_SKILL_SOURCE, AI_SKILL_TARGETS, parseAiSkill, renderAiSkillCopy } from '../../scripts/ai-skill';

/*
 * The /payments skill and the developer guide name files, modules, functions, components, config
 * keys, env variables and npm scripts. This test checks each of those names against the repository,
 * so a rename or a deleted file fails here instead of leaving an assistant to follow stale
 * instructions. It also checks that the generated copies of the skill match their source.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const exists = (file: string) => existsSync(path.join(root, file));

function listCodeFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return listCodeFiles(file);
    return /\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

// What the docs may name: our source, plus the test helpers the guide tells readers to use.
const code = new Map([...listCodeFiles('src'), ...listCodeFiles('tests/helpers')].map((file) => [file, read(file)]));
const corpus = [...code.values()].join('\n');

function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  const declarations = /export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|class|type|interface|enum)\s+([A-Za-z_$][\w$]*)/g;
  for (const [, name] of text.matchAll(declarations)) names.add(name!);
  // `export { a, type B, c as d }` (re-exports too) and `export const { a, b } = …`.
  for (const match of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}|export\s+const\s*\{([^}]*)\}\s*=/g)) {
    for (const part of (match[1] ?? match[2]!).split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop();
      if (name) names.add(name);
    }
  }
  return names;
}

const exportsByFile = new Map([...code].map(([file, text]) => [file, exportedNames(text)]));
const allExports = new Set([...exportsByFile.values()].flatMap((names) => [...names]));

function resolveModule(specifier: string): string | undefined {
  const base = specifier.replace(/^@\//, 'src/');
  return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`].find((file) => code.has(file));
}

/** Every key of the loaded config (defaults and derived fields such as `amountMinor` included). */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => keysOf(item, into));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      into.add(key);
      keysOf(child, into);
    }
  }
  return into;
}
const configKeys = keysOf(appConfig);

function hasConfigPath(segments: string[]): boolean {
  let node: unknown = appConfig;
  for (const segment of segments) {
    if (!node || typeof node !== 'object' || Array.isArray(node) || !(segment in node)) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return true;
}

// The app's variables (src/config/env.ts), plus those only the scripts and the test setup read.
const envSources = [read('src/config/env.ts'), read('.env.example'), ...listCodeFiles('scripts').map(read), corpus].join('\n');
const isEnvVariable = (name: string) => new RegExp(`\\b${name}\\b`).test(envSources);
const npmScripts = new Set(Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts));
const webhookEvents = new Set([...read('src/features/common/payments/service/stripe-webhook.ts').matchAll(/case '([a-z_.]+)'/g)].map((m) => m[1]!));

const isQuotedLiteral = (word: string) => corpus.includes(`'${word}'`) || corpus.includes(`"${word}"`);
/** A field declared somewhere: `name: …`, `name?: …`, or shorthand in an object literal `{ name, … }`. */
const isDeclaredProperty = (name: string) => {
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(`[{,;(\\s]${escaped}\\??\\s*:|[{,]\\s*${escaped}\\s*[,}]`).test(corpus);
};
const isRoute = (route: string) => ['page.tsx', 'route.ts'].some((file) => exists(`src/app${route.replace(/\/$/, '')}/${file}`));

/**
 * Words in code spans that are not ours, kept short on purpose: config keys, env variables, npm
 * scripts, routes and webhook events are each checked against their own source instead.
 */
const NOT_OUR_SYMBOLS = new Set([
  // JavaScript and the platform
  'null',
  'true',
  'false',
  'Intl',
  'RangeError',
  'Request',
  'Response',
  // react-email's convention for a template's sample data
  'PreviewProps',
  // settings of Postgres and PgBouncer
  'max_connections',
  'max_prepared_statements',
  // Stripe's API: a field of the Product it returns, which our code never reads
  'default_price',
  // the name of the command itself
  '/payments',
]);

const JS_GLOBALS = new Set(['Number', 'Math', 'JSON', 'process', 'crypto', 'window', 'document']);

interface Findings {
  problems: string[];
  paths: Set<string>;
  names: Set<string>;
}

/** A problem with one identifier-like name, or null when the repository has it. */
function checkName(name: string): string | null {
  if (NOT_OUR_SYMBOLS.has(name) || allExports.has(name)) return null;
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{2,}$/.test(name)) {
    return isEnvVariable(name) || isQuotedLiteral(name) ? null : 'is neither exported, an env variable (src/config/env.ts, scripts/), nor a code used in src/';
  }
  if (/^[A-Z]|^use[A-Z]/.test(name)) return 'is not exported by any module under src/ (a component, hook, type or error)';
  if (configKeys.has(name) || isDeclaredProperty(name) || isQuotedLiteral(name)) return null;
  if (name.includes('_') && new RegExp(`\\b${name}\\b`).test(corpus)) return null;
  return 'is not exported under src/, nor a key of src/config/app.ts, nor a field or value in src/';
}

/** Checks one inline code span; spans of other shapes (prose, SQL, URLs with placeholders) are skipped. */
function checkSpan(span: string, findings: Findings): string | null {
  const text = span.trim();
  if (NOT_OUR_SYMBOLS.has(text)) return null;

  const npm = /^npm (?:run ([\w:.-]+)|(test|start))(?:\s|$)/.exec(text);
  if (npm) return npmScripts.has(npm[1] ?? npm[2]!) ? null : 'is not a script in package.json';
  if (text.startsWith('@/')) {
    if (text.includes('<')) return null;
    return resolveModule(text) ? null : 'is not a module under src/';
  }
  if (/^\/[\w\-/[\]]*$/.test(text)) return isRoute(text) ? null : 'is not a page or route under src/app';
  if (/^\.?[\w-]+(?:\.[\w-]+)*\.(?:md|json|ts|tsx|mjs|mts|example)$/.test(text)) {
    return exists(text) ? null : 'is not a file at the repository root (write paths in full)';
  }

  const dotted = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(text) ? text.split('.') : null;
  if (dotted?.[0] === 'billing') return hasConfigPath(dotted) ? null : 'is not a path in the config of src/config/app.ts';
  if (dotted?.[0] === 'appConfig') return hasConfigPath(dotted.slice(1)) ? null : 'is not a path in the config of src/config/app.ts';
  if (dotted && ['checkout', 'charge', 'refund', 'payment_intent', 'setup_intent', 'payment_method'].includes(dotted[0]!)) {
    return webhookEvents.has(text) ? null : 'is not an event handled in src/features/common/payments/service/stripe-webhook.ts';
  }
  // `options.limit`: the member is ours to check; members of platform globals are not.
  if (dotted) return JS_GLOBALS.has(dotted[0]!) ? null : checkSpan(dotted.at(-1)!, findings);

  // Field lists `{ items, nextCursor }` and settings `amount: 10`: each key must be ours.
  const fields = /^\{([^{}]*)\}$/.exec(text)?.[1] ?? (/^[A-Za-z_$][\w$]*: \S/.test(text) ? text : null);
  if (fields !== null) {
    const keys = fields.split(',').map((part) => part.trim().replace(/^\.\.\./, '').split(':')[0]!.replace(/\?$/, '').trim());
    const problems = keys
      .filter((key) => /^[A-Za-z_$][\w$]*$/.test(key))
      .flatMap((key) => {
        const problem = checkSpan(key, findings);
        return problem ? [`\`${key}\` ${problem}`] : [];
      });
    return problems.join('; ') || null;
  }
  const assignment = /^([A-Z][A-Z0-9_]+)=\S+$/.exec(text);
  if (assignment) return checkSpan(assignment[1]!, findings);
  if (/^[A-Z][a-z]+(?:-[A-Z][a-z]+)+$/.test(text)) return isQuotedLiteral(text.toLowerCase()) ? null : 'is not a header the code reads';

  const quoted = /^'([\w-]+)'$/.exec(text);
  if (quoted) return isQuotedLiteral(quoted[1]!) ? null : 'is not a value used in src/';
  if (/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(text)) return isQuotedLiteral(text) ? null : 'is not a value used in src/';

  const jsx = /^<([A-Z][\w$]*)[\s/>]/.exec(text);
  const call = /^(?:await )?([A-Za-z_$][\w$]*)\(.*\)$/.exec(text);
  const array = /^([A-Z][\w$]*)\[\]$/.exec(text);
  const name = jsx?.[1] ?? call?.[1] ?? array?.[1] ?? (/^[A-Za-z_$][\w$]*$/.test(text) ? text : null);
  if (!name) return null;
  findings.names.add(name);
  return checkName(name);
}

/** Checks every repository path, module import and code span in a Markdown file. */
function checkDoc(file: string): Findings {
  const markdown = read(file);
  const findings: Findings = { problems: [], paths: new Set(), names: new Set() };
  const report = (what: string, problem: string | null) => {
    const line = `${file}: ${what} ${problem}`;
    if (problem && !findings.problems.includes(line)) findings.problems.push(line);
  };

  // Paths, anywhere (prose, tables, code). A segment in <angle brackets> marks a file the reader
  // creates (src/features/<feature>/…), which cannot exist yet.
  const pathPattern = /(?<![\w@./-])((?:src|scripts|docs|tests|drizzle|emails|\.github|\.cursor|\.claude)\/[^\s`'"(),;|]*)/g;
  for (const [, raw] of markdown.matchAll(pathPattern)) {
    const repoPath = raw!.replace(/[.:]+$/, '');
    if (/[<*…]/.test(repoPath)) continue;
    findings.paths.add(repoPath);
    report(`\`${repoPath}\``, exists(repoPath) ? null : 'does not exist');
  }

  const codeBlocks = [...markdown.matchAll(/^[ \t]*```[^\n]*\n([\s\S]*?)^[ \t]*```/gm)].map((m) => m[1]!);
  for (const block of codeBlocks) {
    for (const [, names, specifier] of block.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
      if (!specifier!.startsWith('@/') || specifier!.includes('<')) continue;
      const resolved = resolveModule(specifier!);
      if (!resolved) {
        report(`import from '${specifier}'`, 'names a module that does not exist');
        continue;
      }
      for (const part of names!.split(',')) {
        const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0];
        if (!name) continue;
        findings.names.add(name);
        report(`\`${name}\` imported from '${specifier}'`, exportsByFile.get(resolved)!.has(name) ? null : `is not exported by ${resolved}`);
      }
    }
  }

  const prose = markdown.replace(/^[ \t]*```[^\n]*\n[\s\S]*?^[ \t]*```/gm, '');
  for (const [, span] of prose.matchAll(/`([^`\n]+)`/g)) report(`\`${span}\``, checkSpan(span!, findings));
  return findings;
}

describe('the /payments AI skill', () => {
  it.each(AI_SKILL_TARGETS.map((target) => [target.path, target.tool] as const))('%s is generated from the source', (copy, tool) => {
    const expected = renderAiSkillCopy(read(AI_SKILL_SOURCE), tool);
    const actual = exists(copy) ? read(copy) : '(missing)';
    expect(actual, `${copy} differs from what ${AI_SKILL_SOURCE} generates: run npm run ai:sync`).toBe(expected);
  });

  it('gives each tool its header and the source body', () => {
    const source = ['---', 'description: "Do things: well"', 'argument-hint: what to do', '---', '', '# Body', ''].join('\n');
    expect(renderAiSkillCopy(source, 'copilot')).toMatch(/^---\ndescription: "Do things: well"\nargument-hint: "what to do"\nagent: "agent"\n---\n<!-- Generated from docs\/ai\/payments\.md[^\n]*-->\n\n# Body\n$/);
    expect(renderAiSkillCopy(source, 'cursor')).toMatch(/^<!-- Generated [^\n]*-->\n\n# Body\n$/);
    expect(renderAiSkillCopy(source, 'claude')).toMatch(/\n# Body\n\n## The request\n\n\$ARGUMENTS\n$/);
  });

  it('refuses a source without a description', () => {
    expect(() => parseAiSkill('---\nargument-hint: x\n---\n# Body\n')).toThrow('needs a non-empty "description"');
  });

  it('names only files, modules, symbols, config keys and scripts that exist', () => {
    const { problems } = checkDoc(AI_SKILL_SOURCE);
    expect(problems, `${AI_SKILL_SOURCE} has drifted from the code: fix it (or the code), then run npm run ai:sync`).toEqual([]);
  });

  it('still covers the API it teaches', () => {
    // Guards the check above against passing because it found nothing to check.
    const { paths, names } = checkDoc(AI_SKILL_SOURCE);
    expect([...paths]).toEqual(
      expect.arrayContaining([
        'src/config/app.ts',
        'src/features/common/payments/service/credits-balance.service.ts',
        'src/features/common/payments/service/payment.service.ts',
        'src/features/common/payments/service/payment-callback.service.ts',
        'src/features/common/payments/api/credits-error-response.ts',
        'src/app/api/webhooks/stripe/route.ts',
        'src/features/examples/generation/run-generation.ts',
      ]),
    );
    expect([...names]).toEqual(
      expect.arrayContaining([
        'deductCreditsBonusFirst',
        'InsufficientCreditsError',
        'addCreditsDirectly',
        'creditsErrorResponse',
        'onCreditsTopUp',
        'onCreditsRefunded',
        'onCreditsDisputed',
        'useCredits',
        'useCreditsTopUpModal',
        'CreditsTopUpModal',
      ]),
    );
  });
});

describe('the developer docs', () => {
  it('docs/credits.md names only files, modules, symbols, config keys and scripts that exist', () => {
    expect(checkDoc('docs/credits.md').problems, 'docs/credits.md has drifted from the code').toEqual([]);
  });

  it('AGENTS.md points at the skill and names only commands and files that exist', () => {
    expect(read('AGENTS.md')).toContain('docs/ai/payments.md');
    expect(checkDoc('AGENTS.md').problems, 'AGENTS.md has drifted from the code').toEqual([]);
  });
});
