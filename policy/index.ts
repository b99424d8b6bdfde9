/**
 * custos/policy — the policy model: resource schemas with field classifications, roles and
 * derived roles, rules and obligations; loading from YAML with precise errors; compilation of
 * conditions; policy test suites. See policy/README.md for the language.
 */
export { loadPolicySet, listPolicyFiles } from './loader.js';
export type { LoadOptions } from './loader.js';
export { compareValues, readPath, ageInYears, COMPARE_OPS } from './condition.js';
export { toQuery, andQueries, orQueries, notQuery } from './condition-query.js';
export type { Query, QueryMode, StaticEnv } from './condition-query.js';
export { loadPolicyTests, runPolicyTests, formatTestReport } from './policy-tests.js';
export type { PolicyTestSuite, PolicyTestCase, PolicyTestExpectation, PolicyTestResult, PolicyTestReport, TestDecision } from './policy-tests.js';
export { FALSE, TRUE, UNKNOWN } from './types.js';
export type {
  AttributeBag,
  AttributeSpec,
  AttributeType,
  CompareOp,
  CompiledCondition,
  Condition,
  ConditionClass,
  ConsentQuery,
  DerivedRoleSpec,
  EvaluationEnv,
  FieldSpec,
  ObligationSpec,
  PolicySet,
  ResourceTypeSpec,
  RuleSpec,
  SubjectTypeSpec,
  Truth,
} from './types.js';
export type { PolicyErrorCode, PolicyIssue } from './errors.js';
