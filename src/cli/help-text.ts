/**
 * The help text that the program and the command definitions share, in a module of its own so
 * that `checkpoint-permissions --help` shows it without loading any command's definition.
 */

/** The variables every API command reads, as `--help` lists them. */
export const ENVIRONMENT = `
Environment:
  OPENAI_ADMIN_KEY   the admin key: checkpoint permissions, projects, audit log (needed)
  OPENAI_API_KEY     one project key: the fine-tuning jobs of its project (for --all)
Keys given as flags show in ps to other users: prefer these variables, --admin-key-file
and --project-keys (files readable by you only: chmod 600).
  OPENAI_BASE_URL    the API root (default https://api.openai.com/v1)
  OPENAI_ORG_ID      sent as OpenAI-Organization
  OPENAI_PROJECT_ID  sent as OpenAI-Project
  OPENAI_RATE_LIMIT_REDIS_URL  a Redis that shares one rate budget between processes (--redis-url)`;

/**
 * What each command does, in one line: its definition's description, and its line in the
 * program's list of commands.
 */
export const SUMMARY = {
  list: 'list the permissions of one checkpoint, one JSON line (or CSV row) each',
  audit: 'audit many checkpoints: every permission, violations of an allow-list, failures',
  watch: 'follow permission changes as they happen (audit log), one JSON line each, until Ctrl-C',
  diff: 'what changed between two audits (JSONL outputs): grants, violations, checkpoints',
  emulator: 'serve a local OpenAI API emulator (no key, no network) until Ctrl-C',
  demo: 'audit a seeded organization on the built-in emulator: no key, no network',
} as const;
