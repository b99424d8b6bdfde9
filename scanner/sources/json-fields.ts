// Flattens JSON documents (plain JSON, NDJSON lines, FHIR R4 resources and bundles) into
// field paths and string values: `Patient.name[].family`, `telecom[].value`.

/** One resource or record flattened into path → values (a path may repeat inside arrays). */
export interface FlatRecord {
  readonly container: string;
  readonly fields: ReadonlyMap<string, readonly string[]>;
}

const maxDepth = 32;
const maxValueChars = 100_000;

const isFhirResource = (v: unknown): v is Record<string, unknown> & { resourceType: string } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Record<string, unknown>).resourceType === 'string';

/**
 * Splits a parsed JSON value into records. A FHIR Bundle yields one record per entry
 * resource (container = resource type); an array of objects yields one record per element.
 *
 * @example recordsOf({ resourceType: 'Patient', gender: 'male' }, 'p.json')[0]?.container // 'Patient'
 */
export const recordsOf = (value: unknown, fallbackContainer: string): FlatRecord[] => {
  if (isFhirResource(value) && value.resourceType === 'Bundle' && Array.isArray(value.entry)) {
    return value.entry.flatMap((e: unknown) => {
      const resource = typeof e === 'object' && e !== null ? (e as Record<string, unknown>).resource : undefined;
      return resource === undefined ? [] : recordsOf(resource, fallbackContainer);
    });
  }
  if (isFhirResource(value)) return [{ container: value.resourceType, fields: flatten(value, true) }];
  if (Array.isArray(value)) return value.flatMap((v) => recordsOf(v, fallbackContainer));
  if (typeof value === 'object' && value !== null) return [{ container: fallbackContainer, fields: flatten(value, false) }];
  return [];
};

const flatten = (value: unknown, isFhir: boolean): Map<string, string[]> => {
  const fields = new Map<string, string[]>();
  const visit = (node: unknown, path: string, depth: number): void => {
    if (depth > maxDepth || node === null || node === undefined) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, `${path}[]`, depth + 1);
      return;
    }
    if (typeof node === 'object') {
      for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
        if (isFhir && (key === 'resourceType' || key === 'meta' || key === 'id' || key === 'system' || key === 'url' || key === 'reference' || key === 'status' || key === 'unit')) continue;
        // FHIR narrative is XHTML: keep its text, drop the markup.
        const child2 = isFhir && key === 'div' && typeof child === 'string' ? child.replace(/<[^>]*>/g, ' ') : child;
        visit(child2, path === '' ? key : `${path}.${key}`, depth + 1);
      }
      return;
    }
    const text = typeof node === 'string' ? node : typeof node === 'number' || typeof node === 'boolean' ? String(node) : '';
    if (text.length === 0) return;
    let list = fields.get(path);
    if (list === undefined) {
      list = [];
      fields.set(path, list);
    }
    list.push(text.length > maxValueChars ? text.slice(0, maxValueChars) : text);
  };
  visit(value, '', 0);
  return fields;
};
