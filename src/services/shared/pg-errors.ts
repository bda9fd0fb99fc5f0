/** A PostgreSQL error as node-postgres reports it. */
interface PgError {
  code?: string;
  detail?: string;
  column?: string;
  constraint?: string;
  table?: string;
  message: string;
}

/** A request refused because the database refused its data: the status, what was wrong, and the field if known. */
export interface BadInput {
  statusCode: number;
  code: string;
  message: string;
  field: string;
}

// The field a constraint guards, from its default name `<table>_<column>_check` (or _fkey, _key).
const fieldOfConstraint = (e: PgError) =>
  e.constraint?.replace(new RegExp(`^${e.table ?? ''}_`), '').replace(/_(check|fkey|key|excl)$/, '') ?? 'body';

/**
 * Errors that mean the request's data cannot be stored, mapped to a 4xx naming the problem: a foreign key to a
 * row that does not exist (23503), a duplicate (23505), a missing value (23502), a failed check (23514), and any
 * data exception (class 22: a number out of its column's range, text that is not of the column's type, a date
 * out of range). Anything else is the service's fault, and stays a 500.
 */
export function badInputOf(err: unknown): BadInput | null {
  const e = err as PgError;
  if (typeof e?.code !== 'string' || !/^2[23]/.test(e.code)) return null;
  const keyed = /^Key \(([^)]+)\)=\((.*)\) (.*)$/.exec(e.detail ?? '');
  const field = keyed?.[1] ?? e.column ?? fieldOfConstraint(e);
  switch (e.code) {
    case '23503':
      return keyed && /still referenced/.test(keyed[3])
        ? { statusCode: 409, code: 'conflict', message: `${field}: still referenced: ${keyed[3]}`, field }
        : {
            statusCode: 400,
            code: 'bad_request',
            message: `${field}: no such row: ${keyed?.[2] ?? ''} ${keyed?.[3] ?? e.message}`.trim(),
            field,
          };
    case '23505':
      return { statusCode: 409, code: 'conflict', message: `${field}: already exists: ${keyed?.[2] ?? ''}`, field };
    case '23502':
      return { statusCode: 400, code: 'bad_request', message: `${field}: required`, field };
    case '23514':
      return {
        statusCode: 400,
        code: 'bad_request',
        message: `${field}: violates ${e.constraint ?? 'a check'}`,
        field,
      };
    default:
      if (e.code.startsWith('23'))
        return { statusCode: 409, code: 'conflict', message: `${field}: ${e.message}`, field };
      // Class 22, data exceptions: PostgreSQL's message says which value and type.
      return { statusCode: 400, code: 'bad_request', message: `${field}: ${e.message}`, field };
  }
}
