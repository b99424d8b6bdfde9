/**
 * Error codes of the policy module. Loading collects every problem as a `PolicyIssue` and
 * throws one `ERR_POLICY_INVALID` carrying them all, sorted by file, line and column.
 */
export type PolicyErrorCode =
  | 'ERR_POLICY_INVALID'
  | 'ERR_POLICY_NO_FILES'
  | 'ERR_POLICY_UNREADABLE'
  | 'ERR_POLICY_YAML_SYNTAX'
  | 'ERR_POLICY_FORBIDDEN_KEY'
  | 'ERR_POLICY_UNKNOWN_KEY'
  | 'ERR_POLICY_MISSING_KEY'
  | 'ERR_POLICY_BAD_VALUE'
  | 'ERR_POLICY_DUPLICATE'
  | 'ERR_POLICY_UNKNOWN_RESOURCE'
  | 'ERR_POLICY_UNKNOWN_ACTION'
  | 'ERR_POLICY_UNKNOWN_FIELD'
  | 'ERR_POLICY_UNKNOWN_ROLE'
  | 'ERR_POLICY_UNKNOWN_ATTRIBUTE'
  | 'ERR_POLICY_UNKNOWN_OPERATOR'
  | 'ERR_POLICY_UNKNOWN_OBLIGATION'
  | 'ERR_POLICY_UNREACHABLE_DENY'
  | 'ERR_POLICY_TEST_INVALID';

/** One problem found while loading a policy set or a test suite. */
export interface PolicyIssue {
  readonly code: PolicyErrorCode;
  readonly message: string;
  readonly hint: string;
  readonly at: { readonly file: string; readonly line: number; readonly column: number };
}

export const compareIssues = (a: PolicyIssue, b: PolicyIssue): number =>
  a.at.file < b.at.file ? -1 : a.at.file > b.at.file ? 1 : a.at.line - b.at.line || a.at.column - b.at.column;
