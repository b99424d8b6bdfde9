import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { PolicyIssue } from './errors.js';
import type { SourcePosition } from './types.js';

/** Keys that could reach an object's prototype: refused everywhere (STYLE.md, validation). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const MAX_FILE_BYTES = 1024 * 1024;

/** A parsed YAML file: plain values plus the source position of every container, key and item. */
export interface YamlSource {
  readonly file: string;
  readonly value: unknown;
  /** Position of a container, or of one of its keys / items. */
  at(container: unknown, key?: string | number): SourcePosition;
}

interface Positions {
  self: SourcePosition;
  keys: Map<string | number, SourcePosition>;
}

/**
 * Parses YAML text into plain data while recording positions, so later validation can name
 * `file:line:column`. Aliases are refused (no billion-laughs), and so are prototype keys.
 */
export const parseYamlSource = (file: string, text: string, issues: PolicyIssue[]): YamlSource => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const posOf = (offset: number | undefined): SourcePosition => {
    const p = lineCounter.linePos(offset ?? 0);
    return { file, line: p.line, column: p.col };
  };
  const positions = new WeakMap<object, Positions>();
  for (const error of doc.errors) {
    issues.push({
      code: 'ERR_POLICY_YAML_SYNTAX',
      message: `not valid YAML: ${error.message.split('\n')[0]}`,
      hint: 'fix the YAML syntax at that position (indentation, quotes, a duplicate key)',
      at: posOf(error.pos[0]),
    });
  }
  const convert = (node: Node | null | undefined): unknown => {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      issues.push({
        code: 'ERR_POLICY_BAD_VALUE',
        message: 'YAML aliases (*name) are not supported in policy files',
        hint: 'write the value out in full',
        at: posOf(node.range?.[0]),
      });
      return null;
    }
    if (isScalar(node)) {
      const v = node.value;
      return v instanceof Date ? v.toISOString() : v;
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      const p: Positions = { self: posOf(node.range?.[0]), keys: new Map() };
      node.items.forEach((item, i) => {
        p.keys.set(i, posOf((item as Node | null)?.range?.[0] ?? node.range?.[0]));
        out.push(convert(item as Node));
      });
      positions.set(out, p);
      return out;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const p: Positions = { self: posOf(node.range?.[0]), keys: new Map() };
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : '';
        const keyPos = posOf(keyNode?.range?.[0]);
        if (!isScalar(keyNode)) {
          issues.push({ code: 'ERR_POLICY_BAD_VALUE', message: 'mapping keys must be plain scalars', hint: 'use a plain word as the key', at: keyPos });
          continue;
        }
        if (FORBIDDEN_KEYS.has(key)) {
          issues.push({
            code: 'ERR_POLICY_FORBIDDEN_KEY',
            message: `key "${key}" is refused: it could reach an object prototype`,
            hint: 'rename the key',
            at: keyPos,
          });
          continue;
        }
        p.keys.set(key, keyPos);
        out[key] = convert(pair.value as Node);
      }
      positions.set(out, p);
      return out;
    }
    return null;
  };
  const value = doc.errors.length > 0 ? null : convert(doc.contents as Node | null);
  const rootPos: SourcePosition = { file, line: 1, column: 1 };
  return {
    file,
    value,
    at: (container, key) => {
      if (typeof container !== 'object' || container === null) return rootPos;
      const p = positions.get(container);
      if (!p) return rootPos;
      return key === undefined ? p.self : (p.keys.get(key) ?? p.self);
    },
  };
};

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
