import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every public export carries a doc comment with a summary and an `@example`: they are the
 * TypeDoc API reference (see STYLE.md). The exports are read as the compiler sees them, through
 * the re-exports of the two entry points, so a type added to `src/index.ts` without docs fails
 * here rather than shipping as a blank page.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY_POINTS = ['src/index.ts', 'src/emulator/index.ts'];

/** The project's own compiler options, so that modules resolve as they do for `tsc`. */
function compilerOptions(): ts.CompilerOptions {
  const path = join(ROOT, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(path, (file) => ts.sys.readFile(file));
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, path).options;
}

/** The doc comment TypeDoc shows: the closest block before the declaration, not a file header. */
function docCommentOf(declaration: ts.Declaration): ts.JSDoc | undefined {
  const blocks = ts
    .getJSDocCommentsAndTags(declaration)
    .filter(ts.isJSDoc)
    .filter(
      (block) =>
        !block.tags?.some((tag) => ['packageDocumentation', 'module'].includes(tag.tagName.text)),
    );
  return blocks.at(-1);
}

const textOf = (comment: ts.JSDoc['comment']): string =>
  (ts.getTextOfJSDocComment(comment) ?? '').trim();

/** What the export lacks: nothing, or the missing parts of its doc comment. */
function missingDocs(symbol: ts.Symbol): string[] {
  const doc = (symbol.declarations ?? []).map(docCommentOf).find((block) => block !== undefined);
  if (!doc) return ['doc comment'];
  const missing: string[] = [];
  if (textOf(doc.comment) === '') missing.push('summary');
  const examples = (doc.tags ?? []).filter((tag) => tag.tagName.text === 'example');
  if (!examples.some((tag) => textOf(tag.comment) !== '')) missing.push('@example');
  return missing;
}

function kindOf(symbol: ts.Symbol): string {
  const flags = symbol.flags;
  if (flags & ts.SymbolFlags.Class) return 'class';
  if (flags & ts.SymbolFlags.Interface) return 'interface';
  if (flags & ts.SymbolFlags.TypeAlias) return 'type';
  if (flags & ts.SymbolFlags.Function) return 'function';
  if (flags & ts.SymbolFlags.Enum) return 'enum';
  if (flags & ts.SymbolFlags.Variable) return 'const';
  return 'export';
}

function whereOf(symbol: ts.Symbol): string {
  const declaration = symbol.declarations?.[0];
  if (!declaration) return '(no declaration)';
  const file = declaration.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(declaration.getStart(file));
  return `${relative(ROOT, file.fileName)}:${line + 1}`;
}

interface Survey {
  readonly exports: readonly string[];
  readonly offenders: readonly string[];
}

/** One program for both entry points: type-checking @types/node twice would double the time. */
function survey(): Map<string, Survey> {
  const program = ts.createProgram(
    ENTRY_POINTS.map((entry) => join(ROOT, entry)),
    compilerOptions(),
  );
  const checker = program.getTypeChecker();
  const surveys = new Map<string, Survey>();
  for (const entry of ENTRY_POINTS) {
    const source = program.getSourceFile(join(ROOT, entry));
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`${entry} is not a module the compiler can read`);
    const exports: string[] = [];
    const offenders: string[] = [];
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      exports.push(exported.name);
      const missing = missingDocs(symbol);
      if (missing.length > 0) {
        offenders.push(
          `${exported.name} (${kindOf(symbol)}, ${whereOf(symbol)}): no ${missing.join(', no ')}`,
        );
      }
    }
    surveys.set(entry, { exports, offenders });
  }
  return surveys;
}

describe('API docs', () => {
  let surveys: Map<string, Survey> | undefined;
  const surveyOf = (entry: string): Survey => (surveys ??= survey()).get(entry)!;

  it.each(ENTRY_POINTS)(
    '%s: every export has a doc comment with a summary and an @example',
    (entry) => {
      const { exports, offenders } = surveyOf(entry);
      // An entry point the compiler resolved to nothing would pass vacuously.
      expect(exports.length).toBeGreaterThan(10);
      expect(
        offenders,
        `${offenders.length} export(s) of ${entry} lack docs; TypeDoc would publish them bare:\n  ${offenders.join('\n  ')}\n`,
      ).toEqual([]);
    },
  );
});
