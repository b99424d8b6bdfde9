/**
 * Loads a policy set: every YAML file under one or more folders, read as ONE set. Collects
 * every problem with its `file:line:column`, sorted, and throws them together (cerbos style).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CustosError } from '../lib/errors.js';
import { collectAttributes, compile, isSatisfiable, parseCondition, type ConditionScope } from './condition.js';
import { compareIssues, type PolicyIssue } from './errors.js';
import type {
  AttributeSpec,
  AttributeType,
  CompiledCondition,
  Condition,
  DerivedRoleSpec,
  FieldSpec,
  ObligationSpec,
  PolicySet,
  ResourceTypeSpec,
  RuleSpec,
  SourcePosition,
  SubjectTypeSpec,
} from './types.js';
import { isPlainObject, MAX_FILE_BYTES, parseYamlSource, type YamlSource } from './yaml-source.js';

const MAX_FILES = 1000;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ATTR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ATTRIBUTE_TYPES: readonly AttributeType[] = ['string', 'number', 'boolean', 'date', 'list', 'any'];
const TOP_KEYS = ['name', 'subjects', 'context', 'action', 'resources', 'roles', 'derivedRoles', 'rules'];
const RULE_KEYS = ['id', 'description', 'effect', 'actions', 'resource', 'resources', 'subjects', 'roles', 'when', 'fields', 'obligations'];
const SIMPLE_OBLIGATIONS = ['require_reason', 'notify_security_officer', 'audit_break_glass'] as const;

export interface LoadOptions {
  /** Time stamp recorded as `loadedAt`; defaults to now. */
  readonly nowMs?: number;
}

/** Every `.yaml`/`.yml` file under the given folders or files, sorted, with its display name. */
export const listPolicyFiles = (paths: readonly string[]): { file: string; name: string }[] => {
  const out: { file: string; name: string }[] = [];
  const walk = (path: string, base: string): void => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const entry of readdirSync(path).sort()) walk(join(path, entry), base);
    } else if (/\.ya?ml$/i.test(path)) {
      out.push({ file: path, name: relative(process.cwd(), path) || path });
    }
  };
  for (const p of paths) walk(resolve(p), resolve(p));
  return out;
};

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/** Load-time state: the files, their parsed YAML and the issues found so far. */
interface Loading {
  readonly issues: PolicyIssue[];
  readonly subjects: Map<string, { attributes: Map<string, AttributeSpec> }>;
  readonly context: Map<string, AttributeSpec>;
  readonly action: Map<string, AttributeSpec>;
  readonly resources: Map<string, ResourceTypeSpec>;
  readonly roles: Set<string>;
  readonly derived: Map<string, { spec: Omit<DerivedRoleSpec, 'when'>; raw: unknown; src: YamlSource; container: Record<string, unknown> }>;
  readonly rawRules: { raw: Record<string, unknown>; src: YamlSource; list: unknown[]; index: number }[];
  name: string | undefined;
}

/** Position of item `value` of list `container[key]`, or of the key when it is a single name. */
const itemPos = (src: YamlSource, container: Record<string, unknown>, key: string, value: string): SourcePosition => {
  const list = container[key];
  if (Array.isArray(list)) {
    const i = list.indexOf(value);
    if (i >= 0) return src.at(list, i);
  }
  return src.at(container, key);
};

const pushAt = (l: Loading, at: SourcePosition, code: PolicyIssue['code'], message: string, hint: string): void => {
  l.issues.push({ code, message, hint, at });
};

const push = (l: Loading, src: YamlSource, code: PolicyIssue['code'], container: unknown, key: string | number | undefined, message: string, hint: string): void => {
  l.issues.push({ code, message, hint, at: src.at(container, key) });
};

const parseAttributes = (l: Loading, src: YamlSource, raw: unknown, container: unknown, key: string, into: Map<string, AttributeSpec>, owner: string): void => {
  if (raw === null || raw === undefined) return;
  if (!isPlainObject(raw)) {
    push(l, src, 'ERR_POLICY_BAD_VALUE', container, key, `${owner}: attributes must be a mapping of name → type, got ${typeName(raw)}`, 'write e.g. attributes: { department: string }');
    return;
  }
  for (const [name, spec] of Object.entries(raw)) {
    if (!ATTR_NAME.test(name)) {
      push(l, src, 'ERR_POLICY_BAD_VALUE', raw, name, `${owner}: attribute name "${name}" is not a plain identifier`, 'use letters, digits and underscores');
      continue;
    }
    const type = typeof spec === 'string' ? spec : isPlainObject(spec) ? spec.type : undefined;
    if (typeof type !== 'string' || !(ATTRIBUTE_TYPES as readonly string[]).includes(type)) {
      push(l, src, 'ERR_POLICY_BAD_VALUE', raw, name, `${owner}: attribute "${name}" has no valid type`, `use one of: ${ATTRIBUTE_TYPES.join(', ')}`);
      continue;
    }
    const existing = into.get(name);
    if (existing && existing.type !== type) {
      push(l, src, 'ERR_POLICY_DUPLICATE', raw, name, `${owner}: attribute "${name}" is declared again with type ${type} (was ${existing.type})`, 'declare each attribute with one type');
      continue;
    }
    const dflt = isPlainObject(spec) && spec.default !== undefined ? { default: spec.default } : {};
    into.set(name, Object.freeze({ type: type as AttributeType, ...dflt }));
  }
};

const stringList = (l: Loading, src: YamlSource, container: Record<string, unknown>, key: string, owner: string): string[] | undefined => {
  const v = container[key];
  if (v === undefined) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x.length === 0)) {
    push(l, src, 'ERR_POLICY_BAD_VALUE', container, key, `${owner}: "${key}" must be a name or a list of names, got ${typeName(v)}`, `write ${key}: [a, b]`);
    return [];
  }
  return list as string[];
};

const readSchema = (l: Loading, src: YamlSource, doc: Record<string, unknown>): void => {
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.includes(key)) {
      push(l, src, 'ERR_POLICY_UNKNOWN_KEY', doc, key, `unknown top-level key "${key}"`, `policy files may contain: ${TOP_KEYS.join(', ')}`);
    }
  }
  if (typeof doc.name === 'string') l.name ??= doc.name;
  if (isPlainObject(doc.subjects)) {
    for (const [type, spec] of Object.entries(doc.subjects)) {
      const entry = l.subjects.get(type) ?? { attributes: new Map<string, AttributeSpec>() };
      l.subjects.set(type, entry);
      if (spec !== null && !isPlainObject(spec)) {
        push(l, src, 'ERR_POLICY_BAD_VALUE', doc.subjects, type, `subject type "${type}" must be a mapping`, 'write subjects: { user: { attributes: {...} } }');
        continue;
      }
      parseAttributes(l, src, spec?.attributes, spec, 'attributes', entry.attributes, `subject type "${type}"`);
    }
  } else if (doc.subjects !== undefined) {
    push(l, src, 'ERR_POLICY_BAD_VALUE', doc, 'subjects', `"subjects" must be a mapping of subject types`, 'write subjects: { user: { attributes: {...} } }');
  }
  if (doc.context !== undefined) parseAttributes(l, src, doc.context, doc, 'context', l.context, 'context');
  if (doc.action !== undefined) parseAttributes(l, src, doc.action, doc, 'action', l.action, 'action');
  if (Array.isArray(doc.roles) || typeof doc.roles === 'string') {
    for (const r of stringList(l, src, doc, 'roles', 'roles') ?? []) l.roles.add(r);
  } else if (doc.roles !== undefined) {
    push(l, src, 'ERR_POLICY_BAD_VALUE', doc, 'roles', '"roles" must be a list of base role names', 'write roles: [doctor, nurse]');
  }
  if (isPlainObject(doc.resources)) {
    for (const [type, spec] of Object.entries(doc.resources)) readResource(l, src, doc.resources, type, spec);
  } else if (doc.resources !== undefined) {
    push(l, src, 'ERR_POLICY_BAD_VALUE', doc, 'resources', '"resources" must be a mapping of resource types', 'write resources: { emr: { actions: [read], ... } }');
  }
  if (isPlainObject(doc.derivedRoles)) {
    for (const [name, spec] of Object.entries(doc.derivedRoles)) {
      if (l.derived.has(name) || l.roles.has(name)) {
        push(l, src, 'ERR_POLICY_DUPLICATE', doc.derivedRoles, name, `role "${name}" is declared twice`, 'rename one of them');
        continue;
      }
      if (!isPlainObject(spec)) {
        push(l, src, 'ERR_POLICY_BAD_VALUE', doc.derivedRoles, name, `derived role "${name}" must be a mapping`, 'write { parentRoles: [doctor], when: {...} }');
        continue;
      }
      for (const k of Object.keys(spec)) {
        if (!['parentRoles', 'when', 'description'].includes(k)) push(l, src, 'ERR_POLICY_UNKNOWN_KEY', spec, k, `derived role "${name}": unknown key "${k}"`, 'derived roles have parentRoles, when, description');
      }
      const parentRoles = stringList(l, src, spec, 'parentRoles', `derived role "${name}"`) ?? [];
      l.derived.set(name, { spec: { name, parentRoles, at: src.at(doc.derivedRoles, name) }, raw: spec.when, src, container: spec });
    }
  } else if (doc.derivedRoles !== undefined) {
    push(l, src, 'ERR_POLICY_BAD_VALUE', doc, 'derivedRoles', '"derivedRoles" must be a mapping', 'write derivedRoles: { treating_doctor: {...} }');
  }
  if (Array.isArray(doc.rules)) {
    doc.rules.forEach((raw, index) => {
      if (!isPlainObject(raw)) {
        push(l, src, 'ERR_POLICY_BAD_VALUE', doc.rules, index, `rule #${index + 1} must be a mapping, got ${typeName(raw)}`, 'write - id: ...\n    effect: allow');
        return;
      }
      l.rawRules.push({ raw, src, list: doc.rules as unknown[], index });
    });
  } else if (doc.rules !== undefined) {
    push(l, src, 'ERR_POLICY_BAD_VALUE', doc, 'rules', '"rules" must be a list', 'write rules: [ ... ]');
  }
};

const readResource = (l: Loading, src: YamlSource, container: Record<string, unknown>, type: string, spec: unknown): void => {
  const owner = `resource type "${type}"`;
  if (!NAME.test(type)) push(l, src, 'ERR_POLICY_BAD_VALUE', container, type, `${owner}: not a plain name`, 'use letters, digits, _ and -');
  if (l.resources.has(type)) {
    push(l, src, 'ERR_POLICY_DUPLICATE', container, type, `${owner} is declared twice`, 'declare each resource type in one file');
    return;
  }
  if (!isPlainObject(spec)) {
    push(l, src, 'ERR_POLICY_BAD_VALUE', container, type, `${owner} must be a mapping`, 'write { actions: [read], attributes: {...}, fields: {...} }');
    return;
  }
  for (const k of Object.keys(spec)) {
    if (!['actions', 'attributes', 'fields', 'patient', 'description'].includes(k)) push(l, src, 'ERR_POLICY_UNKNOWN_KEY', spec, k, `${owner}: unknown key "${k}"`, 'resource types have actions, attributes, fields, patient, description');
  }
  const actions = stringList(l, src, spec, 'actions', owner) ?? [];
  if (actions.length === 0) push(l, src, 'ERR_POLICY_MISSING_KEY', container, type, `${owner} declares no actions`, 'add actions: [read, ...]');
  const attributes = new Map<string, AttributeSpec>();
  parseAttributes(l, src, spec.attributes, spec, 'attributes', attributes, owner);
  const fields: Record<string, FieldSpec> = {};
  if (isPlainObject(spec.fields)) {
    for (const [name, f] of Object.entries(spec.fields)) {
      if (f !== null && !isPlainObject(f)) {
        push(l, src, 'ERR_POLICY_BAD_VALUE', spec.fields, name, `${owner}: field "${name}" must be a mapping`, 'write { pi: person_name, sensitive: false, mask: name }');
        continue;
      }
      for (const k of Object.keys(f ?? {})) {
        if (!['pi', 'sensitive', 'mask', 'description'].includes(k)) push(l, src, 'ERR_POLICY_UNKNOWN_KEY', f, k, `${owner}: field "${name}": unknown key "${k}"`, 'fields have pi, sensitive, mask, description');
      }
      fields[name] = Object.freeze({
        name,
        sensitive: f?.sensitive === true,
        ...(typeof f?.pi === 'string' ? { pi: f.pi } : {}),
        ...(typeof f?.mask === 'string' ? { mask: f.mask } : {}),
      });
    }
  } else if (spec.fields !== undefined && spec.fields !== null) {
    push(l, src, 'ERR_POLICY_BAD_VALUE', spec, 'fields', `${owner}: "fields" must be a mapping`, 'write fields: { name: { pi: person_name } }');
  }
  const patient = typeof spec.patient === 'string' ? spec.patient : undefined;
  if (patient !== undefined && patient !== 'id' && !attributes.has(patient)) {
    push(l, src, 'ERR_POLICY_UNKNOWN_ATTRIBUTE', spec, 'patient', `${owner}: patient attribute "${patient}" is not declared`, 'declare it under attributes:, or write patient: id');
  }
  l.resources.set(type, {
    name: type,
    actions: Object.freeze(actions),
    ...(patient ? { patient } : {}),
    attributes: Object.freeze(Object.fromEntries(attributes)),
    fields: Object.freeze(fields),
    fieldNames: Object.freeze(Object.keys(fields)),
  });
};

const scopeFor = (l: Loading, src: YamlSource, resourceTypes: readonly ResourceTypeSpec[], subjectTypes: readonly string[], owner: string): ConditionScope => {
  const subjectAttributes = new Set<string>();
  for (const [type, s] of l.subjects) {
    if (subjectTypes.length === 0 || subjectTypes.includes(type)) for (const a of s.attributes.keys()) subjectAttributes.add(a);
  }
  return {
    subjectAttributes,
    contextAttributes: new Set(l.context.keys()),
    actionAttributes: new Set(l.action.keys()),
    resourceTypes: resourceTypes.map((rt) => ({ name: rt.name, attributes: new Set(Object.keys(rt.attributes)), hasPatient: rt.patient !== undefined })),
    patientAttributes: new Set(Object.keys(l.resources.get('patient')?.attributes ?? {})),
    roles: new Set([...l.roles, ...l.derived.keys()]),
    src,
    issues: l.issues,
    owner,
  };
};

/** The role requirement of a rule: any of the roles; a derived role is its parents plus its condition. */
const roleCondition = (l: Loading, roles: readonly string[], resourceTypes: readonly ResourceTypeSpec[], subjectTypes: readonly string[]): Condition => {
  const items: Condition[] = roles.map((name) => {
    const d = l.derived.get(name);
    if (!d) return { kind: 'role', name };
    const parents: Condition = { kind: 'any', items: d.spec.parentRoles.map((p) => ({ kind: 'role', name: p }) as Condition) };
    if (d.raw === undefined) return parents;
    const scope = scopeFor(l, d.src, resourceTypes, subjectTypes, `derived role "${name}"`);
    return { kind: 'all', items: [parents, parseCondition(scope, d.raw, d.container, 'when')] };
  });
  return items.length === 1 ? items[0]! : { kind: 'any', items };
};

const flatten = (c: Condition): Condition[] => (c.kind === 'all' ? c.items.flatMap(flatten) : [c]);

const parseObligations = (l: Loading, src: YamlSource, rule: Record<string, unknown>, resourceTypes: readonly ResourceTypeSpec[], owner: string): ObligationSpec[] => {
  const raw = rule.obligations;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    push(l, src, 'ERR_POLICY_BAD_VALUE', rule, 'obligations', `${owner}: "obligations" must be a list`, 'write obligations: [require_reason, { mask: idCardNo }]');
    return [];
  }
  const out: ObligationSpec[] = [];
  const checkField = (field: unknown, container: unknown, key: string | number): field is string => {
    if (typeof field !== 'string') {
      push(l, src, 'ERR_POLICY_BAD_VALUE', container, key, `${owner}: obligation field must be a name, got ${typeName(field)}`, 'name a declared field');
      return false;
    }
    let ok = true;
    for (const rt of resourceTypes) {
      if (!rt.fields[field]) {
        ok = false;
        push(l, src, 'ERR_POLICY_UNKNOWN_FIELD', container, key, `${owner}: obligation names field "${field}", which resource type "${rt.name}" does not declare`, `declare it under resources.${rt.name}.fields, or fix the name (known: ${rt.fieldNames.join(', ')})`);
      }
    }
    return ok;
  };
  raw.forEach((item, i) => {
    if (typeof item === 'string') {
      if ((SIMPLE_OBLIGATIONS as readonly string[]).includes(item)) out.push({ type: item as ObligationSpec['type'] });
      else push(l, src, 'ERR_POLICY_UNKNOWN_OBLIGATION', raw, i, `${owner}: unknown obligation "${item}"`, `use one of: ${[...SIMPLE_OBLIGATIONS, 'mask', 'deidentify'].join(', ')}`);
      return;
    }
    if (!isPlainObject(item) || Object.keys(item).length !== 1) {
      push(l, src, 'ERR_POLICY_BAD_VALUE', raw, i, `${owner}: an obligation is a name or a one-key mapping`, 'write { mask: idCardNo } or require_reason');
      return;
    }
    const [kind, value] = Object.entries(item)[0]!;
    if (kind === 'mask') {
      const targets = Array.isArray(value) ? value : [value];
      targets.forEach((t, j) => {
        const container = Array.isArray(value) ? value : item;
        const key = Array.isArray(value) ? j : 'mask';
        const field = isPlainObject(t) ? t.field : t;
        if (!checkField(field, container, key)) return;
        const rule = isPlainObject(t) && typeof t.rule === 'string' ? t.rule : undefined;
        for (const rt of resourceTypes) {
          const maskRule = rule ?? rt.fields[field]?.mask;
          if (maskRule === undefined) {
            push(l, src, 'ERR_POLICY_BAD_VALUE', container, key, `${owner}: mask of "${field}" names no rule and the field has no default mask`, `write { mask: { field: ${field}, rule: <rule> } } or add mask: to the field`);
            return;
          }
        }
        out.push({ type: 'mask', field, ...(rule ? { rule } : {}) });
      });
    } else if (kind === 'deidentify') {
      if (!isPlainObject(value)) {
        push(l, src, 'ERR_POLICY_BAD_VALUE', item, kind, `${owner}: "deidentify" maps fields to operators`, 'write deidentify: { patientName: pseudonym, birthDate: year }');
        return;
      }
      for (const [field, op] of Object.entries(value)) {
        if (!checkField(field, value, field)) continue;
        if (typeof op !== 'string') {
          push(l, src, 'ERR_POLICY_BAD_VALUE', value, field, `${owner}: de-identification operator of "${field}" must be a name`, 'e.g. pseudonym, year, city, redact');
          continue;
        }
        out.push({ type: 'deidentify', field, rule: op });
      }
    } else {
      push(l, src, 'ERR_POLICY_UNKNOWN_OBLIGATION', item, kind, `${owner}: unknown obligation "${kind}"`, `use one of: ${[...SIMPLE_OBLIGATIONS, 'mask', 'deidentify'].join(', ')}`);
    }
  });
  return out;
};

const readRule = (l: Loading, entry: Loading['rawRules'][number], ids: Map<string, SourcePosition>): RuleSpec | undefined => {
  const { raw, src } = entry;
  const id = typeof raw.id === 'string' && raw.id.length > 0 ? raw.id : undefined;
  const owner = id ? `rule "${id}"` : `rule #${entry.index + 1}`;
  const before = l.issues.length;
  if (!id) push(l, src, 'ERR_POLICY_MISSING_KEY', entry.list, entry.index, `${owner} has no id`, 'add id: <unique-name>');
  else if (ids.has(id)) push(l, src, 'ERR_POLICY_DUPLICATE', raw, 'id', `rule id "${id}" is used twice`, `the first is at ${ids.get(id)!.file}:${ids.get(id)!.line}; rename one`);
  else ids.set(id, src.at(raw, 'id'));
  for (const k of Object.keys(raw)) {
    if (!RULE_KEYS.includes(k)) push(l, src, 'ERR_POLICY_UNKNOWN_KEY', raw, k, `${owner}: unknown key "${k}"`, `rules may contain: ${RULE_KEYS.join(', ')}`);
  }
  const effect = raw.effect;
  if (effect !== 'allow' && effect !== 'deny') {
    push(l, src, effect === undefined ? 'ERR_POLICY_MISSING_KEY' : 'ERR_POLICY_BAD_VALUE', effect === undefined ? entry.list : raw, effect === undefined ? entry.index : 'effect', `${owner}: effect must be allow or deny`, 'write effect: allow');
  }
  // Resource types.
  const resourceKey = raw.resources !== undefined ? 'resources' : 'resource';
  const names = raw[resourceKey] === '*' ? [...l.resources.keys()] : (stringList(l, src, raw, resourceKey, owner) ?? []);
  if (raw[resourceKey] === undefined) push(l, src, 'ERR_POLICY_MISSING_KEY', entry.list, entry.index, `${owner} names no resource type`, 'add resource: <type> (or resources: [a, b], or "*")');
  const resourceTypes: ResourceTypeSpec[] = [];
  for (const n of names) {
    const rt = l.resources.get(n);
    if (rt) resourceTypes.push(rt);
    else pushAt(l, itemPos(src, raw, resourceKey, n), 'ERR_POLICY_UNKNOWN_RESOURCE', `${owner}: unknown resource type "${n}"`, `declare it under resources:, or use one of: ${[...l.resources.keys()].join(', ')}`);
  }
  // Actions.
  let actions = raw.actions === '*' ? ['*'] : (stringList(l, src, raw, 'actions', owner) ?? []);
  if (raw.actions === undefined) push(l, src, 'ERR_POLICY_MISSING_KEY', entry.list, entry.index, `${owner} names no actions`, 'add actions: [read]');
  if (actions.includes('*')) actions = [...new Set(resourceTypes.flatMap((rt) => rt.actions))];
  else if (raw.resource !== '*' && raw.resources !== '*') {
    for (const a of actions) {
      for (const rt of resourceTypes) {
        if (!rt.actions.includes(a)) pushAt(l, itemPos(src, raw, 'actions', a), 'ERR_POLICY_UNKNOWN_ACTION', `${owner}: resource type "${rt.name}" has no action "${a}"`, `use one of: ${rt.actions.join(', ')}, or add it to resources.${rt.name}.actions`);
      }
    }
  }
  // Subject types.
  const subjectTypes = stringList(l, src, raw, 'subjects', owner) ?? [];
  for (const s of subjectTypes) {
    if (!l.subjects.has(s)) pushAt(l, itemPos(src, raw, 'subjects', s), 'ERR_POLICY_UNKNOWN_KEY', `${owner}: unknown subject type "${s}"`, `declare it under subjects:, or use one of: ${[...l.subjects.keys()].join(', ')}`);
  }
  // Roles and condition.
  const roles = stringList(l, src, raw, 'roles', owner) ?? [];
  const known = new Set([...l.roles, ...l.derived.keys()]);
  const conditions: Condition[] = [];
  const validRoles = roles.filter((r) => {
    if (known.has(r)) return true;
    pushAt(l, itemPos(src, raw, 'roles', r), 'ERR_POLICY_UNKNOWN_ROLE', `${owner}: unknown role "${r}"`, `declare it under roles: or derivedRoles:, or use one of: ${[...known].sort().join(', ')}`);
    return false;
  });
  if (validRoles.length > 0) conditions.push(roleCondition(l, validRoles, resourceTypes, subjectTypes));
  if (raw.when !== undefined) conditions.push(parseCondition(scopeFor(l, src, resourceTypes, subjectTypes, owner), raw.when, raw, 'when'));
  const flat = conditions.flatMap(flatten);
  if (effect === 'deny' && !isSatisfiable({ kind: 'all', items: flat })) {
    push(l, src, 'ERR_POLICY_UNREACHABLE_DENY', raw, raw.when !== undefined ? 'when' : 'id', `${owner}: this deny rule can never match (its condition contradicts itself; it could only apply through a missing attribute)`, 'fix the condition (an empty "in" list, one attribute pinned to two values, or exists: false next to a comparison), or delete the rule');
  }
  // Fields.
  let fields: Record<string, readonly string[]> | undefined;
  if (raw.fields !== undefined) {
    fields = {};
    if (raw.fields === '*') {
      for (const rt of resourceTypes) fields[rt.name] = rt.fieldNames;
    } else {
      const list = stringList(l, src, raw, 'fields', owner) ?? [];
      for (const rt of resourceTypes) {
        for (const f of list) {
          if (!rt.fields[f]) pushAt(l, itemPos(src, raw, 'fields', f), 'ERR_POLICY_UNKNOWN_FIELD', `${owner} permits field "${f}", which resource type "${rt.name}" does not declare`, `declare it under resources.${rt.name}.fields, or drop it from the rule (known: ${rt.fieldNames.join(', ')})`);
        }
        fields[rt.name] = Object.freeze(list.filter((f) => rt.fields[f]));
      }
    }
  }
  const obligations = parseObligations(l, src, raw, resourceTypes, owner);
  if (l.issues.length > before || !id || (effect !== 'allow' && effect !== 'deny')) return undefined;
  return Object.freeze({
    id,
    description: typeof raw.description === 'string' ? raw.description : '',
    effect,
    actions: Object.freeze(actions),
    resourceTypes: Object.freeze(resourceTypes.map((rt) => rt.name)),
    subjectTypes: Object.freeze(subjectTypes),
    conditions: Object.freeze(flat.map(compile)),
    ...(fields ? { fields: Object.freeze(fields) } : {}),
    obligations: Object.freeze(obligations.map((o) => Object.freeze(o))),
    at: src.at(entry.list, entry.index),
  });
};

const dedupe = (issues: readonly PolicyIssue[]): PolicyIssue[] => {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.code}|${i.at.file}|${i.at.line}|${i.at.column}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/** Throws `ERR_POLICY_INVALID` carrying every issue, sorted. */
export const throwIssues = (issues: readonly PolicyIssue[], what: string): never => {
  const sorted = dedupe(issues).sort(compareIssues);
  const first = sorted[0]!;
  throw new CustosError('ERR_POLICY_INVALID', {
    message: `${what} has ${sorted.length} problem${sorted.length === 1 ? '' : 's'}; the first: ${first.message}`,
    hint: first.hint,
    at: first.at,
    details: { errors: sorted },
  });
};

/**
 * Loads, validates and compiles a policy set from a folder (or several folders/files read
 * as ONE set). Throws `ERR_POLICY_INVALID` with `details.errors` listing every problem.
 *
 * @example
 * const set = loadPolicySet('examples/hospital/policies');
 * set.version; // 'sha256:…'
 */
export const loadPolicySet = (dir: string | readonly string[], options: LoadOptions = {}): PolicySet => {
  const paths = typeof dir === 'string' ? [dir] : [...dir];
  let files: { file: string; name: string }[];
  try {
    files = listPolicyFiles(paths);
  } catch (cause) {
    throw new CustosError('ERR_POLICY_UNREADABLE', {
      at: { file: paths.join(', ') },
      message: `cannot read the policy folder (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      hint: 'check the path and that it is readable',
      cause,
    });
  }
  if (files.length === 0) {
    throw new CustosError('ERR_POLICY_NO_FILES', { at: { file: paths.join(', ') }, message: 'no .yaml or .yml policy files found', hint: 'point at the folder holding the policy set' });
  }
  if (files.length > MAX_FILES) {
    throw new CustosError('ERR_POLICY_INVALID', { at: { file: paths.join(', ') }, message: `too many policy files (${files.length} > ${MAX_FILES})`, hint: 'split the set' });
  }
  const l: Loading = {
    issues: [], subjects: new Map(), context: new Map(), action: new Map(), resources: new Map(), roles: new Set(), derived: new Map(), rawRules: [], name: undefined,
  };
  const hash = createHash('sha256');
  for (const { file, name } of files) {
    const buf = readFileSync(file);
    hash.update(`${relative(resolve(paths[0]!), file)}\0`).update(buf).update('\0');
    if (buf.length > MAX_FILE_BYTES) {
      l.issues.push({ code: 'ERR_POLICY_BAD_VALUE', message: `file is larger than ${MAX_FILE_BYTES} bytes`, hint: 'split it', at: { file: name, line: 1, column: 1 } });
      continue;
    }
    const src = parseYamlSource(name, buf.toString('utf8'), l.issues);
    if (src.value === null || src.value === undefined) continue;
    if (!isPlainObject(src.value)) {
      l.issues.push({ code: 'ERR_POLICY_BAD_VALUE', message: `a policy file must be a mapping, got ${typeName(src.value)}`, hint: 'start with subjects:, resources: or rules:', at: { file: name, line: 1, column: 1 } });
      continue;
    }
    readSchema(l, src, src.value);
  }
  const ids = new Map<string, SourcePosition>();
  const rules = l.rawRules.map((entry) => readRule(l, entry, ids)).filter((r): r is RuleSpec => r !== undefined);
  for (const d of l.derived.values()) {
    for (const p of d.spec.parentRoles) {
      if (!l.roles.has(p)) {
        l.issues.push({ code: 'ERR_POLICY_UNKNOWN_ROLE', message: `derived role "${d.spec.name}": unknown parent role "${p}"`, hint: `declare it under roles:, or use one of: ${[...l.roles].sort().join(', ')}`, at: d.src.at(d.container, 'parentRoles') });
      }
    }
  }
  if (l.issues.length > 0) throwIssues(l.issues, 'the policy set');
  const subjectKeys = new Set<string>();
  const contextKeys = new Set<string>();
  const allConditions: CompiledCondition[] = rules.flatMap((r) => r.conditions);
  for (const c of allConditions) {
    collectAttributes(c.ast, 'subject', subjectKeys);
    collectAttributes(c.ast, 'context', contextKeys);
  }
  subjectKeys.delete('id');
  subjectKeys.delete('type');
  const subjectTypes: Record<string, SubjectTypeSpec> = {};
  for (const [name, s] of l.subjects) subjectTypes[name] = Object.freeze({ name, attributes: Object.freeze(Object.fromEntries(s.attributes)) });
  const derivedRoles: Record<string, DerivedRoleSpec> = {};
  for (const [name, d] of l.derived) derivedRoles[name] = Object.freeze({ ...d.spec, parentRoles: Object.freeze([...d.spec.parentRoles]) });
  return Object.freeze({
    name: l.name ?? 'policy-set',
    version: `sha256:${hash.digest('hex')}`,
    source: paths.join(','),
    loadedAt: new Date(options.nowMs ?? Date.now()).toISOString(),
    files: Object.freeze(files.map((f) => f.name)),
    ruleCount: rules.length,
    rules: Object.freeze(rules),
    resourceTypes: Object.freeze(Object.fromEntries(l.resources)),
    subjectTypes: Object.freeze(subjectTypes),
    contextAttributes: Object.freeze(Object.fromEntries(l.context)),
    actionAttributes: Object.freeze(Object.fromEntries(l.action)),
    derivedRoles: Object.freeze(derivedRoles),
    subjectKeyAttributes: Object.freeze([...subjectKeys].sort()),
    contextKeyAttributes: Object.freeze([...contextKeys].sort()),
  });
};
