import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describeMachine, machine, type Machine } from './machine.js';
import { formatTable, type Table } from './table.js';

/** A goal from the benchmark issue, with the figure that was measured against it. */
export interface Goal {
  readonly name: string;
  /** The goal in words, e.g. `>= 0.9x raw undici`. */
  readonly target: string;
  /** The measured figure, in the same words. */
  readonly actual: string;
  readonly met: boolean;
}

/** What a scenario returns: printed as tables and stored as `bench/results/<scenario>.json`. */
export interface ScenarioReport {
  /** The file name, which is also the results file's name. */
  readonly scenario: string;
  readonly title: string;
  /** The parameters that make the figures reproducible. */
  readonly setup: Readonly<Record<string, unknown>>;
  readonly tables: readonly Table[];
  readonly goals: readonly Goal[];
  /** Caveats a reader needs to interpret the figures. */
  readonly notes: readonly string[];
  /** Raw measurements, for the JSON only. */
  readonly raw?: unknown;
}

/** A stored result: the report plus when and where it was measured. */
export interface StoredResult extends ScenarioReport {
  readonly machine: Machine;
  readonly finishedAt: string;
}

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

/** The path of a scenario's JSON result. */
export function resultPath(scenario: string): string {
  return `${RESULTS}${scenario}.json`;
}

/** Prints the report and writes its JSON (creating `bench/results/`, which git ignores). */
export async function publish(report: ScenarioReport): Promise<StoredResult> {
  const stored: StoredResult = {
    ...report,
    machine: machine(),
    finishedAt: new Date().toISOString(),
  };
  const out: string[] = [`\n== ${report.title} ==`, describeMachine(stored.machine)];
  for (const table of report.tables) out.push('', formatTable(table));
  if (report.goals.length > 0) {
    out.push('', 'Goals:');
    for (const goal of report.goals) out.push(`  ${verdict(goal)}`);
  }
  for (const note of report.notes) out.push(`Note: ${note}`);
  console.log(out.join('\n'));
  await mkdir(RESULTS, { recursive: true });
  await writeFile(resultPath(report.scenario), `${JSON.stringify(stored, null, 2)}\n`);
  return stored;
}

/** `[met] name: actual (goal: target)`. */
export function verdict(goal: Goal): string {
  return `[${goal.met ? 'met' : 'MISSED'}] ${goal.name}: ${goal.actual} (goal: ${goal.target})`;
}
