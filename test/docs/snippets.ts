/**
 * Finding the code blocks of a Markdown file, with the `<!-- snippet: ... -->`
 * directive written before each (see snippets.test.ts for the convention).
 */

export interface Snippet {
  /** Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the block's first code line in `file`. */
  line: number;
  language: 'ts' | 'js';
  code: string;
  /** Prelude names from the directive, in order. */
  preludes: string[];
  /** The directive says `run`: the block is also executed. */
  run: boolean;
}

const OPEN = /^(\s*)```(ts|typescript|js|javascript)\s*$/;
const CLOSE = /^\s*```\s*$/;
const DIRECTIVE = /^\s*<!--\s*snippet:\s*(.*?)\s*-->\s*$/;

/** Every ```ts / ```js block of `markdown` (also indented ones, in lists), dedented. */
export function extractSnippets(markdown: string, file: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !CLOSE.test(lines[j]!); j++)
      body.push(lines[j]!.slice(Math.min(indent, lines[j]!.length - lines[j]!.trimStart().length)));
    if (j === lines.length) throw new Error(`${file}:${i + 1}: code block never closed`);
    const words = directiveBefore(lines, i);
    snippets.push({
      file,
      line: i + 2,
      language: open[2]!.startsWith('t') ? 'ts' : 'js',
      code: body.join('\n'),
      preludes: words.filter((word) => word !== 'run'),
      run: words.includes('run'),
    });
    i = j;
  }
  return snippets;
}

/** The words of a `<!-- snippet: ... -->` line right before line `index` (blank lines between allowed). */
function directiveBefore(lines: readonly string[], index: number): string[] {
  for (let k = index - 1; k >= 0; k--) {
    const text = lines[k]!;
    if (text.trim() === '') continue;
    const match = DIRECTIVE.exec(text);
    return match ? match[1]!.split(/\s+/).filter(Boolean) : [];
  }
  return [];
}

/** A ```ts test block: one step of a walk-through, run in order with the file's other steps. */
export interface TestBlock {
  file: string;
  /** 1-based line of the block's first code line in `file`. */
  line: number;
  code: string;
}

const TEST_OPEN = /^```(?:ts|typescript) test\s*$/;

/** The ```ts test blocks of `markdown`, in order (top-level fences only: a walk-through's steps). */
export function extractTestBlocks(markdown: string, file: string): TestBlock[] {
  const lines = markdown.split('\n');
  const blocks: TestBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!TEST_OPEN.test(lines[i]!)) continue;
    let j = i + 1;
    while (j < lines.length && !CLOSE.test(lines[j]!)) j++;
    if (j === lines.length) throw new Error(`${file}:${i + 1}: code block never closed`);
    blocks.push({ file, line: i + 2, code: lines.slice(i + 1, j).join('\n') });
    i = j;
  }
  return blocks;
}
