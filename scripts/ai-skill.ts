/**
 * The `/payments` AI skill has one source, `docs/ai/payments.md`, and a copy wherever an assistant
 * looks for commands. This module turns the source into each copy; it is pure (text in, text out)
 * so `scripts/sync-ai-skill.ts` can write the copies and `tests/unit/ai-skill.test.ts` can check
 * them with the same function.
 */

export const AI_SKILL_SOURCE = 'docs/ai/payments.md';

export type AiTool = 'copilot' | 'cursor' | 'claude';

export interface AiSkillTarget {
  path: string;
  tool: AiTool;
}

export const AI_SKILL_TARGETS: readonly AiSkillTarget[] = [
  // VS Code / GitHub Copilot prompt file: `/payments` in Copilot Chat.
  { path: '.github/prompts/payments.prompt.md', tool: 'copilot' },
  // Cursor command: plain Markdown, Cursor reads no front matter.
  { path: '.cursor/commands/payments.md', tool: 'cursor' },
  // Claude Code project command: `/payments …`, with the typed text in `$ARGUMENTS`.
  { path: '.claude/commands/payments.md', tool: 'claude' },
];

export interface AiSkill {
  description: string;
  argumentHint: string;
  /** The Markdown after the front matter, ending with exactly one newline. */
  body: string;
}

const FRONT_MATTER = /^---\n([\s\S]*?)\n---\n/;

/** A front matter value: plain, or double-quoted (JSON escapes, which YAML reads the same way). */
function parseValue(raw: string, key: string): string {
  const value = raw.trim();
  if (!value.startsWith('"')) return value;
  try {
    return JSON.parse(value) as string;
  } catch {
    throw new Error(`${AI_SKILL_SOURCE}: the front matter value of "${key}" is not a valid double-quoted string`);
  }
}

/**
 * Reads the source: a front matter block of `key: value` lines (`description` and `argument-hint`
 * are required) and the Markdown body. Throws, naming the problem, on anything else, so a broken
 * source can never produce copies.
 */
export function parseAiSkill(source: string): AiSkill {
  const text = source.replace(/\r\n/g, '\n');
  const match = FRONT_MATTER.exec(text);
  if (!match) throw new Error(`${AI_SKILL_SOURCE} must start with a front matter block between two "---" lines`);

  const fields = new Map<string, string>();
  for (const line of match[1]!.split('\n')) {
    if (line.trim() === '') continue;
    const field = /^([a-z][a-z-]*):(.*)$/.exec(line);
    if (!field) throw new Error(`${AI_SKILL_SOURCE}: front matter line "${line}" is not "key: value"`);
    fields.set(field[1]!, parseValue(field[2]!, field[1]!));
  }
  const required = (key: string) => {
    const value = fields.get(key);
    if (!value) throw new Error(`${AI_SKILL_SOURCE}: the front matter needs a non-empty "${key}"`);
    return value;
  };

  const body = `${text.slice(match[0].length).trim()}\n`;
  return { description: required('description'), argumentHint: required('argument-hint'), body };
}

const GENERATED_NOTICE = `<!-- Generated from ${AI_SKILL_SOURCE} by \`npm run ai:sync\`. Edit that file, not this copy. -->`;

/** Front matter lines with values double-quoted, so any punctuation in them stays valid YAML. */
function frontMatter(fields: [string, string][]): string {
  return ['---', ...fields.map(([key, value]) => `${key}: ${JSON.stringify(value)}`), '---', ''].join('\n');
}

/** The copy of the skill for one tool: its header, a notice naming the source, then the body. */
export function renderAiSkillCopy(source: string, tool: AiTool): string {
  const skill = parseAiSkill(source);
  switch (tool) {
    case 'copilot':
      return `${frontMatter([
        ['description', skill.description],
        ['argument-hint', skill.argumentHint],
        ['agent', 'agent'],
      ])}${GENERATED_NOTICE}\n\n${skill.body}`;
    case 'cursor':
      return `${GENERATED_NOTICE}\n\n${skill.body}`;
    case 'claude':
      return `${frontMatter([
        ['description', skill.description],
        ['argument-hint', skill.argumentHint],
      ])}${GENERATED_NOTICE}\n\n${skill.body}\n## The request\n\n$ARGUMENTS\n`;
    default: {
      const unreachable: never = tool;
      throw new Error(`Unknown AI tool ${String(unreachable)}`);
    }
  }
}
