/**
 * A dataset that does not match the format; `path` locates the bad field (`jobs[0].id`).
 *
 * @example
 * try { validateDataset({ jobs: [{}] }); } catch (error) { (error as DatasetError).path; } // 'jobs[0].id'
 */
export class DatasetError extends Error {
  readonly path: string;

  constructor(path: string, message: string) {
    super(message);
    this.name = 'DatasetError';
    this.path = path;
  }
}
