import type { Observable } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import type { APIError, RateLimitError } from '../../src/index.js';
import {
  allCheckpoints$,
  auditLog$,
  auditPermissions,
  auditPermissions$,
  createClient,
  discoverCheckpoints$,
  projects$,
  type AuditLogEvent,
  type AuditLogQuery,
  type AuditOptions,
  type AuditSummary,
  type DiscoveryCoverage,
  type DiscoveryEvent,
  type ListPage,
  type PermissionRecord,
  type Project,
  type ProjectKeys,
  type RequestAuth,
  type RequestSpec,
  permissionItems$,
  permissionPages,
  permissions$,
  type AuditRecord,
  type Client,
  type ClientOptions,
  type ListPermissionsOptions,
  type Permission,
  type PermissionPage,
} from '../../src/index.js';

/** What a consumer of the package sees: checked by the type-checker, and by vitest's expectTypeOf. */
describe('public types', () => {
  it('streams keep the API’s own field names', () => {
    expectTypeOf(permissions$).returns.toEqualTypeOf<Observable<PermissionPage>>();
    expectTypeOf(permissionItems$).returns.toEqualTypeOf<Observable<Permission>>();
    expectTypeOf<PermissionPage['data']>().toEqualTypeOf<Permission[]>();
    expectTypeOf<PermissionPage>().toHaveProperty('has_more').toEqualTypeOf<boolean>();
    expectTypeOf<PermissionPage>()
      .toHaveProperty('first_id')
      .toEqualTypeOf<string | null | undefined>();
    expectTypeOf<PermissionPage>()
      .toHaveProperty('last_id')
      .toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Permission>().toMatchTypeOf<{
      id: string;
      created_at: number;
      project_id: string;
      object: 'checkpoint.permission';
    }>();
  });

  it('options accept both project spellings and the documented values only', () => {
    expectTypeOf<{ projectId: 'proj_1' }>().toMatchTypeOf<ListPermissionsOptions>();
    expectTypeOf<{ project_id: 'proj_1' }>().toMatchTypeOf<ListPermissionsOptions>();
    expectTypeOf<ListPermissionsOptions['order']>().toEqualTypeOf<
      'ascending' | 'descending' | undefined
    >();
    // Type-level only: never called (at run time both would throw a ConfigError).
    const wrong = (): unknown => [
      // @ts-expect-error: 'sideways' is not an order
      permissions$('ft:x', { order: 'sideways' }),
      // @ts-expect-error: the checkpoint is a string
      permissions$(42),
    ];
    expectTypeOf(wrong).toBeFunction();
  });

  it('the client is configured by grouped options and closes asynchronously', () => {
    expectTypeOf(createClient).parameter(0).toEqualTypeOf<ClientOptions | undefined>();
    expectTypeOf<ClientOptions['rateLimit']>().toMatchTypeOf<
      { maxConcurrency?: number } | undefined
    >();
    expectTypeOf<Client['close']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<Client>().toHaveProperty(Symbol.asyncDispose);
  });

  it('pull entry points are AsyncIterables; the audit’s records are a tagged union', () => {
    expectTypeOf(permissionPages).returns.toEqualTypeOf<AsyncIterable<PermissionPage>>();
    expectTypeOf(auditPermissions).returns.toEqualTypeOf<AsyncIterable<AuditRecord>>();
    expectTypeOf(auditPermissions$).returns.toEqualTypeOf<Observable<AuditRecord>>();
    expectTypeOf<AuditRecord['type']>().toEqualTypeOf<
      'permission' | 'page' | 'revocation' | 'checkpoint' | 'error' | 'summary'
    >();
    const narrow = (record: AuditRecord): string | undefined =>
      record.type === 'permission' ? record.project_id : undefined;
    expectTypeOf(narrow).returns.toEqualTypeOf<string | undefined>();
  });

  it('errors mirror the official SDK’s fields', () => {
    expectTypeOf<RateLimitError>().toMatchTypeOf<APIError>();
    expectTypeOf<APIError['status']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<APIError['requestID']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<APIError['headers']>().toEqualTypeOf<Record<string, string>>();
  });

  it('the client takes both kinds of key, and each request says which it needs', () => {
    expectTypeOf<ClientOptions['adminAPIKey']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ClientOptions['apiKey']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ClientOptions['projectKeys']>().toEqualTypeOf<ProjectKeys | undefined>();
    expectTypeOf<{ proj_a: string }>().toMatchTypeOf<ProjectKeys>();
    expectTypeOf<(id: string) => string | undefined>().toMatchTypeOf<ProjectKeys>();
    expectTypeOf<RequestAuth>().toEqualTypeOf<'admin' | 'project' | { readonly project: string }>();
    expectTypeOf<RequestSpec<unknown>['auth']>().toEqualTypeOf<RequestAuth | undefined>();
    expectTypeOf<Client['hasCredential']>().parameter(0).toEqualTypeOf<RequestAuth>();
  });

  it('the organization streams, discovery and its coverage', () => {
    expectTypeOf(projects$).returns.toEqualTypeOf<Observable<ListPage<Project>>>();
    expectTypeOf(auditLog$).returns.toEqualTypeOf<Observable<ListPage<AuditLogEvent>>>();
    expectTypeOf(auditLog$).parameter(0).toEqualTypeOf<AuditLogQuery | undefined>();
    expectTypeOf(discoverCheckpoints$).returns.toEqualTypeOf<Observable<DiscoveryEvent>>();
    expectTypeOf(allCheckpoints$).returns.toEqualTypeOf<Observable<string>>();
    expectTypeOf<DiscoveryEvent['type']>().toEqualTypeOf<'checkpoint' | 'coverage'>();
    expectTypeOf<DiscoveryCoverage['auditLogOldest']>().toEqualTypeOf<number | null>();
    expectTypeOf<Project['id']>().toEqualTypeOf<string>();
  });

  it('audits name projects and flag archived grantees', () => {
    expectTypeOf<Project[]>().toMatchTypeOf<AuditOptions['projects']>();
    expectTypeOf<ReadonlyMap<string, Project>>().toMatchTypeOf<AuditOptions['projects']>();
    expectTypeOf<PermissionRecord['project_name']>().toEqualTypeOf<string | null>();
    expectTypeOf<PermissionRecord['project_status']>().toEqualTypeOf<string | null>();
    expectTypeOf<PermissionRecord['archived']>().toEqualTypeOf<boolean>();
    expectTypeOf<AuditSummary['archived']>().toEqualTypeOf<number>();
  });
});
