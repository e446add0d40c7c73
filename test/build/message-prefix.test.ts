/**
 * Messages are prefixed by one helper (`src/message.ts`), not by hand: a
 * hand-typed `[byokit] [x]` in the library's code would drift from it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './source-files.js';
import { byokitMessage, MESSAGE_COMPONENTS, storeMessage, withoutMessagePrefix } from '../../src/message.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the message prefix', () => {
  it('is written by byokitMessage and removed by withoutMessagePrefix', () => {
    expect(byokitMessage('vault', 'name is taken')).toBe('[byokit] [vault] name is taken');
    for (const component of MESSAGE_COMPONENTS) {
      expect(withoutMessagePrefix(byokitMessage(component, 'text [byokit] [vault] kept'))).toBe(
        'text [byokit] [vault] kept',
      );
    }
    expect(withoutMessagePrefix('no prefix here')).toBe('no prefix here');
    // A host's own adapter may have any name storeMessage was given.
    expect(withoutMessagePrefix(storeMessage('MyStore_2', 'row gone'))).toBe('row gone');
  });

  it('is typed by hand nowhere in src/ or adapters/ (comments aside)', () => {
    const handTyped = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'adapters'))]
      .filter((file) => !file.endsWith(join('src', 'message.ts')))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${file.slice(ROOT.length + 1)}:${i + 1}` }))
          .filter(({ line }) => /[`'"]\[byokit\] \[/.test(line) && !/^\s*(\/?\*|\/\/)/.test(line)),
      )
      .map(({ at }) => at);
    expect(handTyped).toEqual([]);
  });
});
